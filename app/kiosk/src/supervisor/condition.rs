//! The typed condition editor: a rule's condition, or when a question is asked, as a tree of
//! groups and comparisons that a supervisor changes by picking (a fact, an operator, a value; all / any / not), never by
//! typing the condition language. The tree turns back into a [`Condition`] (and so into the
//! text the catalogue file holds) after every change.

use madoguchi_domain::{EventKind, IdentityDocument, Relation, Sex};
use madoguchi_rules::Catalogue;
use madoguchi_rules::catalogue::QuestionKind;
use madoguchi_rules::condition::{
    AgeKind, Condition, MemberCondition, MemberFact, Op, Quantity, Value,
};

/// How the parts of a group combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    All,
    Any,
    Not,
    /// Over the household: at least one member matches.
    AnyMember,
    AllMembers,
    NoMember,
    /// The number of matching members compares with a number.
    Count(Op, u32),
}

impl Group {
    /// Whether the group is about the household's members (its part compares one member).
    pub fn over_members(self) -> bool {
        matches!(
            self,
            Group::AnyMember | Group::AllMembers | Group::NoMember | Group::Count(..)
        )
    }

    /// Whether the group holds exactly one part (〜でない, 世帯員の…).
    pub fn takes_one(self) -> bool {
        self == Group::Not || self.over_members()
    }
}

/// One comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Leaf {
    Event(Vec<EventKind>),
    /// The ID card the applicant was identified by is one of these.
    IdentifiedBy(Vec<IdentityDocument>),
    Answer {
        question: usize,
        op: Op,
        value: Value,
    },
    AnswerIn {
        question: usize,
        values: Vec<Value>,
    },
    Age(AgeKind, Op, u32),
    Sex(Sex),
    Foreign(bool),
    Relation(Vec<Relation>),
    /// Whether the member is the one the event is about (the person who died, the child).
    Subject(bool),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Group(Group, Vec<Node>),
    Leaf(Leaf),
}

/// A fact a comparison can be about, as the fact picker lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fact {
    Event,
    IdentifiedBy,
    Question(usize),
    Age(AgeKind),
    Sex,
    Nationality,
    Relation,
    Subject,
}

/// One row of the tree as the screen lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub path: Vec<usize>,
    pub depth: usize,
    pub text: String,
    pub group: bool,
}

/// What the value picker offers for the selected comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueChoice {
    /// Options to pick from; `multiple` allows several.
    Options {
        labels: Vec<String>,
        picked: Vec<bool>,
        multiple: bool,
    },
    Number(i64),
    Date(String),
}

pub const AGES: [AgeKind; 3] = [AgeKind::Legal, AgeKind::School, AgeKind::Birthday];

impl Node {
    pub fn from_condition(condition: &Condition) -> Node {
        match condition {
            Condition::All(parts) => {
                Node::Group(Group::All, parts.iter().map(Self::from_condition).collect())
            }
            Condition::Any(parts) => {
                Node::Group(Group::Any, parts.iter().map(Self::from_condition).collect())
            }
            Condition::Not(inner) => Node::Group(Group::Not, vec![Self::from_condition(inner)]),
            Condition::EventIn(kinds) => Node::Leaf(Leaf::Event(kinds.clone())),
            Condition::IdentifiedBy(documents) => Node::Leaf(Leaf::IdentifiedBy(documents.clone())),
            Condition::Answer {
                question,
                op,
                value,
            } => Node::Leaf(Leaf::Answer {
                question: *question,
                op: *op,
                value: value.clone(),
            }),
            Condition::AnswerIn { question, values } => Node::Leaf(Leaf::AnswerIn {
                question: *question,
                values: values.clone(),
            }),
            Condition::Members { filter, quantity } => {
                let group = match quantity {
                    Quantity::Some => Group::AnyMember,
                    Quantity::Every => Group::AllMembers,
                    Quantity::None => Group::NoMember,
                    Quantity::Count(op, n) => Group::Count(*op, *n),
                };
                Node::Group(group, vec![Self::from_member(filter)])
            }
        }
    }

    fn from_member(condition: &MemberCondition) -> Node {
        match condition {
            MemberCondition::All(parts) => {
                Node::Group(Group::All, parts.iter().map(Self::from_member).collect())
            }
            MemberCondition::Any(parts) => {
                Node::Group(Group::Any, parts.iter().map(Self::from_member).collect())
            }
            MemberCondition::Not(inner) => Node::Group(Group::Not, vec![Self::from_member(inner)]),
            MemberCondition::Fact(MemberFact::Age(kind, op, years)) => {
                Node::Leaf(Leaf::Age(*kind, *op, *years))
            }
            MemberCondition::Fact(MemberFact::Sex(sex)) => Node::Leaf(Leaf::Sex(*sex)),
            MemberCondition::Fact(MemberFact::Foreign(foreign)) => {
                Node::Leaf(Leaf::Foreign(*foreign))
            }
            MemberCondition::Fact(MemberFact::RelationIn(relations)) => {
                Node::Leaf(Leaf::Relation(relations.clone()))
            }
            MemberCondition::Fact(MemberFact::Subject(subject)) => {
                Node::Leaf(Leaf::Subject(*subject))
            }
            // A member's own answer is a yes/no comparison with the question, inside the
            // household group.
            MemberCondition::Fact(MemberFact::Named { question, named }) => {
                Node::Leaf(Leaf::Answer {
                    question: *question,
                    op: Op::Eq,
                    value: if *named { Value::Yes } else { Value::No },
                })
            }
        }
    }

    /// The condition this tree stands for, or what to fix first.
    pub fn to_condition(&self) -> Result<Condition, String> {
        match self {
            Node::Group(group, parts) => {
                check_parts(*group, parts)?;
                if group.over_members() {
                    let filter = parts[0].to_member()?;
                    let quantity = match group {
                        Group::AnyMember => Quantity::Some,
                        Group::AllMembers => Quantity::Every,
                        Group::NoMember => Quantity::None,
                        Group::Count(op, n) => Quantity::Count(*op, *n),
                        _ => Quantity::Some,
                    };
                    return Ok(Condition::Members { filter, quantity });
                }
                let parts = parts.iter().map(Node::to_condition).collect::<Result<Vec<_>, _>>()?;
                Ok(match group {
                    Group::Any => Condition::Any(parts),
                    Group::Not => Condition::Not(Box::new(parts.into_iter().next().unwrap_or(Condition::All(Vec::new())))),
                    _ => Condition::All(parts),
                })
            }
            Node::Leaf(Leaf::Event(kinds)) if kinds.is_empty() => Err("届出の種類を一つ以上選んでください / pick at least one event".into()),
            Node::Leaf(Leaf::Event(kinds)) => Ok(Condition::EventIn(kinds.clone())),
            Node::Leaf(Leaf::IdentifiedBy(documents)) if documents.is_empty() => {
                Err("本人確認書類を一つ以上選んでください / pick at least one ID card".into())
            }
            Node::Leaf(Leaf::IdentifiedBy(documents)) => {
                Ok(Condition::IdentifiedBy(documents.clone()))
            }
            Node::Leaf(Leaf::Answer { question, op, value }) => Ok(Condition::Answer {
                question: *question,
                op: *op,
                value: value.clone(),
            }),
            Node::Leaf(Leaf::AnswerIn { values, .. }) if values.is_empty() => Err("選択肢を一つ以上選んでください / pick at least one option".into()),
            Node::Leaf(Leaf::AnswerIn { question, values }) => Ok(Condition::AnswerIn {
                question: *question,
                values: values.clone(),
            }),
            Node::Leaf(_) => Err("年齢・性別・国籍・続柄は「世帯員の…」の中に置いてください / member facts belong inside a household group".into()),
        }
    }

    fn to_member(&self) -> Result<MemberCondition, String> {
        match self {
            Node::Group(group, _) if group.over_members() => Err("「世帯員の…」の中に「世帯員の…」は置けません / a household group cannot be nested".into()),
            Node::Group(group, parts) => {
                check_parts(*group, parts)?;
                let parts = parts.iter().map(Node::to_member).collect::<Result<Vec<_>, _>>()?;
                Ok(match group {
                    Group::Any => MemberCondition::Any(parts),
                    Group::Not => MemberCondition::Not(Box::new(parts.into_iter().next().unwrap_or(MemberCondition::All(Vec::new())))),
                    _ => MemberCondition::All(parts),
                })
            }
            Node::Leaf(Leaf::Age(kind, op, years)) => Ok(MemberCondition::Fact(MemberFact::Age(*kind, *op, *years))),
            Node::Leaf(Leaf::Sex(sex)) => Ok(MemberCondition::Fact(MemberFact::Sex(*sex))),
            Node::Leaf(Leaf::Foreign(foreign)) => Ok(MemberCondition::Fact(MemberFact::Foreign(*foreign))),
            Node::Leaf(Leaf::Relation(relations)) if relations.is_empty() => Err("続柄を一つ以上選んでください / pick at least one relation".into()),
            Node::Leaf(Leaf::Relation(relations)) => Ok(MemberCondition::Fact(MemberFact::RelationIn(relations.clone()))),
            Node::Leaf(Leaf::Subject(subject)) => Ok(MemberCondition::Fact(MemberFact::Subject(*subject))),
            Node::Leaf(Leaf::Answer { question, op: op @ (Op::Eq | Op::Ne), value: value @ (Value::Yes | Value::No) }) => {
                Ok(MemberCondition::Fact(MemberFact::Named {
                    question: *question,
                    named: (*value == Value::Yes) == (*op == Op::Eq),
                }))
            }
            Node::Leaf(_) => Err("世帯員の条件には年齢・性別・国籍・続柄と、世帯員についての質問を使います / inside a household group compare age, sex, nationality, relation or a question about members".into()),
        }
    }

    pub fn at(&self, path: &[usize]) -> Option<&Node> {
        match (self, path.split_first()) {
            (node, None) => Some(node),
            (Node::Group(_, parts), Some((first, rest))) => parts.get(*first)?.at(rest),
            (Node::Leaf(_), Some(_)) => None,
        }
    }

    pub fn at_mut(&mut self, path: &[usize]) -> Option<&mut Node> {
        match path.split_first() {
            None => Some(self),
            Some((first, rest)) => match self {
                Node::Group(_, parts) => parts.get_mut(*first)?.at_mut(rest),
                Node::Leaf(_) => None,
            },
        }
    }

    /// Adds `part` to the node at `at` and says where it went. A second part needs a group that
    /// holds several, so a lone comparison at the top, or the one part of 〜でない or 世帯員の…,
    /// first gets a すべて around it: the supervisor never meets a "one part only" error.
    pub fn insert_part(&mut self, at: &[usize], part: Node) -> Option<Vec<usize>> {
        let node = self.at_mut(at)?;
        let mut path = at.to_vec();
        match node {
            Node::Leaf(_) => {
                let alone = std::mem::replace(node, Node::Group(Group::All, Vec::new()));
                *node = Node::Group(Group::All, vec![alone, part]);
                path.push(1);
            }
            Node::Group(kind, parts) if kind.takes_one() && parts.len() == 1 => match &mut parts[0]
            {
                Node::Group(Group::All, inner) => {
                    inner.push(part);
                    path.extend([0, inner.len() - 1]);
                }
                only => {
                    let alone = std::mem::replace(only, Node::Group(Group::All, Vec::new()));
                    *only = Node::Group(Group::All, vec![alone, part]);
                    path.extend([0, 1]);
                }
            },
            Node::Group(_, parts) => {
                parts.push(part);
                path.push(parts.len() - 1);
            }
        }
        Some(path)
    }

    /// Whether the node at `path` sits inside a household group (so compares a member).
    pub fn in_members(&self, path: &[usize]) -> bool {
        (0..path.len()).any(
            |depth| matches!(self.at(&path[..depth]), Some(Node::Group(g, _)) if g.over_members()),
        )
    }

    /// Whether a part added at `path` (a group) compares a member: the group is about the
    /// members, or sits inside one that is.
    pub fn adds_member_facts(&self, path: &[usize]) -> bool {
        self.in_members(path)
            || matches!(self.at(path), Some(Node::Group(g, _)) if g.over_members())
    }

    /// The tree as rows, depth first.
    pub fn rows(&self, catalogue: &Catalogue) -> Vec<Row> {
        let mut rows = Vec::new();
        self.collect_rows(catalogue, &mut Vec::new(), &mut rows);
        rows
    }

    fn collect_rows(&self, catalogue: &Catalogue, path: &mut Vec<usize>, rows: &mut Vec<Row>) {
        rows.push(Row {
            path: path.clone(),
            depth: path.len(),
            text: describe(self, catalogue),
            group: matches!(self, Node::Group(..)),
        });
        if let Node::Group(_, parts) = self {
            for (i, part) in parts.iter().enumerate() {
                path.push(i);
                part.collect_rows(catalogue, path, rows);
                path.pop();
            }
        }
    }
}

fn check_parts(group: Group, parts: &[Node]) -> Result<(), String> {
    let single = group.takes_one();
    match parts.len() {
        0 => Err("空のグループがあります。条件を追加するか、グループを削除してください / a group is empty".into()),
        n if single && n != 1 => Err("「〜でない」と「世帯員の…」には条件を一つだけ置きます（複数なら「すべて」でまとめます） / this group takes exactly one part".into()),
        _ => Ok(()),
    }
}

pub fn group_text(group: Group) -> String {
    match group {
        Group::All => "すべて満たす".into(),
        Group::Any => "いずれかを満たす".into(),
        Group::Not => "次を満たさない".into(),
        Group::AnyMember => "世帯員のだれかが".into(),
        Group::AllMembers => "世帯員の全員が".into(),
        Group::NoMember => "世帯員のだれも当てはまらない".into(),
        Group::Count(op, n) => format!("当てはまる世帯員の人数 {} {n}", op_text(op)),
    }
}

pub fn op_text(op: Op) -> &'static str {
    match op {
        Op::Eq => "＝",
        Op::Ne => "≠",
        Op::Lt => "＜（未満）",
        Op::Le => "≦（以下）",
        Op::Gt => "＞（超える）",
        Op::Ge => "≧（以上）",
    }
}

pub fn fact_text(fact: Fact, catalogue: &Catalogue) -> String {
    match fact {
        Fact::Event => "届出の種類".into(),
        Fact::IdentifiedBy => "本人確認書類（読み取ったカード）".into(),
        Fact::Question(q) => format!("質問：{}", catalogue.questions[q].label.ja),
        Fact::Age(AgeKind::Legal) => "年齢".into(),
        Fact::Age(AgeKind::School) => "学齢（3月31日時点）".into(),
        Fact::Age(AgeKind::Birthday) => "誕生日で数えた年齢".into(),
        Fact::Sex => "性別".into(),
        Fact::Nationality => "国籍".into(),
        Fact::Relation => "続柄".into(),
        Fact::Subject => "届出の対象の方".into(),
    }
}

fn describe(node: &Node, catalogue: &Catalogue) -> String {
    match node {
        Node::Group(group, _) => group_text(*group),
        Node::Leaf(leaf) => {
            let fact = fact_text(fact_of(leaf), catalogue);
            match leaf {
                Leaf::Answer { op, .. } | Leaf::Age(_, op, _) => {
                    format!(
                        "{fact} {} {}",
                        op_text(*op),
                        value_labels(leaf, catalogue).join("・")
                    )
                }
                _ => format!("{fact}：{}", value_labels(leaf, catalogue).join("・")),
            }
        }
    }
}

pub fn fact_of(leaf: &Leaf) -> Fact {
    match leaf {
        Leaf::Event(_) => Fact::Event,
        Leaf::IdentifiedBy(_) => Fact::IdentifiedBy,
        Leaf::Answer { question, .. } | Leaf::AnswerIn { question, .. } => {
            Fact::Question(*question)
        }
        Leaf::Age(kind, ..) => Fact::Age(*kind),
        Leaf::Sex(_) => Fact::Sex,
        Leaf::Foreign(_) => Fact::Nationality,
        Leaf::Relation(_) => Fact::Relation,
        Leaf::Subject(_) => Fact::Subject,
    }
}

/// The labels of the values a comparison picks.
fn value_labels(leaf: &Leaf, catalogue: &Catalogue) -> Vec<String> {
    match value_choice(leaf, catalogue) {
        ValueChoice::Options { labels, picked, .. } => labels
            .into_iter()
            .zip(picked)
            .filter(|(_, p)| *p)
            .map(|(l, _)| l)
            .collect(),
        ValueChoice::Number(n) => vec![n.to_string()],
        ValueChoice::Date(d) => vec![d],
    }
}

/// The facts the picker offers at a place in the tree.
pub fn facts(catalogue: &Catalogue, in_members: bool) -> Vec<Fact> {
    if in_members {
        let mut facts: Vec<Fact> = AGES.iter().map(|k| Fact::Age(*k)).collect();
        facts.extend([Fact::Sex, Fact::Nationality, Fact::Relation]);
        // Only events about one member have the one they are about.
        if catalogue.events.iter().any(|e| e.subject.is_some()) {
            facts.push(Fact::Subject);
        }
        // A member's own answer to a question about members (「印鑑登録をする」と答えた).
        facts.extend(
            (0..catalogue.questions.len())
                .filter(|&q| catalogue.questions[q].kind == QuestionKind::Members)
                .map(Fact::Question),
        );
        facts
    } else {
        [Fact::Event, Fact::IdentifiedBy]
            .into_iter()
            .chain((0..catalogue.questions.len()).map(Fact::Question))
            .collect()
    }
}

/// A sensible first comparison for a newly picked fact.
pub fn default_leaf(fact: Fact, catalogue: &Catalogue, today: chrono::NaiveDate) -> Leaf {
    match fact {
        Fact::Event => Leaf::Event(catalogue.event_kinds().into_iter().take(1).collect()),
        Fact::IdentifiedBy => Leaf::IdentifiedBy(vec![IdentityDocument::MyNumberCard]),
        Fact::Question(question) => match catalogue.questions[question].kind {
            QuestionKind::YesNo | QuestionKind::Members => Leaf::Answer {
                question,
                op: Op::Eq,
                value: Value::Yes,
            },
            QuestionKind::Number { min, .. } => Leaf::Answer {
                question,
                op: Op::Ge,
                value: Value::Number(min.max(1)),
            },
            QuestionKind::Date => Leaf::Answer {
                question,
                op: Op::Ge,
                value: Value::Date(today),
            },
            QuestionKind::Choice => Leaf::AnswerIn {
                question,
                values: catalogue.questions[question]
                    .choices
                    .first()
                    .map(|c| Value::Choice(c.id.clone()))
                    .into_iter()
                    .collect(),
            },
        },
        Fact::Age(kind) => Leaf::Age(kind, Op::Lt, 18),
        Fact::Sex => Leaf::Sex(Sex::Female),
        Fact::Nationality => Leaf::Foreign(true),
        Fact::Relation => Leaf::Relation(vec![Relation::Child]),
        Fact::Subject => Leaf::Subject(true),
    }
}

/// The operators a comparison may use (empty when it picks from options instead).
pub fn ops(leaf: &Leaf) -> Vec<Op> {
    match leaf {
        Leaf::Answer {
            value: Value::Number(_) | Value::Date(_),
            ..
        }
        | Leaf::Age(..) => Op::ALL.to_vec(),
        Leaf::Answer { .. } => vec![Op::Eq, Op::Ne],
        _ => Vec::new(),
    }
}

pub fn set_op(leaf: &mut Leaf, new: Op) {
    match leaf {
        Leaf::Answer { op, .. } | Leaf::Age(_, op, _) => *op = new,
        _ => {}
    }
}

/// The value picker for a comparison.
pub fn value_choice(leaf: &Leaf, catalogue: &Catalogue) -> ValueChoice {
    let options = |labels: Vec<String>, picked: Vec<bool>, multiple| ValueChoice::Options {
        labels,
        picked,
        multiple,
    };
    match leaf {
        Leaf::Event(kinds) => options(
            catalogue.events.iter().map(|e| e.name.ja.clone()).collect(),
            catalogue
                .events
                .iter()
                .map(|e| kinds.contains(&e.id))
                .collect(),
            true,
        ),
        Leaf::IdentifiedBy(documents) => options(
            IdentityDocument::ALL
                .iter()
                .map(|d| d.ja().to_string())
                .collect(),
            IdentityDocument::ALL
                .iter()
                .map(|d| documents.contains(d))
                .collect(),
            true,
        ),
        Leaf::Answer {
            value: Value::Number(n),
            ..
        } => ValueChoice::Number(*n),
        Leaf::Answer {
            value: Value::Date(d),
            ..
        } => ValueChoice::Date(d.format("%Y-%m-%d").to_string()),
        Leaf::Answer { value, .. } => options(
            vec!["はい".into(), "いいえ".into()],
            vec![*value == Value::Yes, *value == Value::No],
            false,
        ),
        Leaf::AnswerIn { question, values } => {
            let choices = &catalogue.questions[*question].choices;
            options(
                choices.iter().map(|c| c.text.ja.clone()).collect(),
                choices
                    .iter()
                    .map(|c| values.contains(&Value::Choice(c.id.clone())))
                    .collect(),
                true,
            )
        }
        Leaf::Age(_, _, years) => ValueChoice::Number(i64::from(*years)),
        Leaf::Sex(sex) => options(
            vec!["男性".into(), "女性".into()],
            vec![*sex == Sex::Male, *sex == Sex::Female],
            false,
        ),
        Leaf::Foreign(foreign) => options(
            vec!["外国籍".into(), "日本国籍".into()],
            vec![*foreign, !*foreign],
            false,
        ),
        Leaf::Subject(subject) => options(
            vec!["対象の方".into(), "対象の方以外".into()],
            vec![*subject, !*subject],
            false,
        ),
        Leaf::Relation(relations) => options(
            Relation::ALL.iter().map(|r| r.ja().to_string()).collect(),
            Relation::ALL
                .iter()
                .map(|r| relations.contains(r))
                .collect(),
            true,
        ),
    }
}

/// Picks option `index` of the value picker: toggles it for several, selects it for one.
pub fn pick_option(leaf: &mut Leaf, index: usize, catalogue: &Catalogue) {
    fn toggle<T: PartialEq + Clone>(list: &mut Vec<T>, item: T) {
        match list.iter().position(|x| *x == item) {
            Some(at) => {
                list.remove(at);
            }
            None => list.push(item),
        }
    }
    match leaf {
        Leaf::Event(kinds) => {
            let order = catalogue.event_kinds();
            if let Some(kind) = order.get(index) {
                toggle(kinds, *kind);
                kinds.sort_by_key(|k| order.iter().position(|x| x == k));
            }
        }
        Leaf::IdentifiedBy(documents) => {
            if let Some(document) = IdentityDocument::ALL.get(index) {
                toggle(documents, *document);
                documents.sort_by_key(|d| IdentityDocument::ALL.iter().position(|x| x == d));
            }
        }
        Leaf::Answer { value, .. } if matches!(value, Value::Yes | Value::No) => {
            *value = if index == 0 { Value::Yes } else { Value::No };
        }
        Leaf::AnswerIn { question, values } => {
            if let Some(choice) = catalogue.questions[*question].choices.get(index) {
                toggle(values, Value::Choice(choice.id.clone()));
            }
        }
        Leaf::Sex(sex) => *sex = if index == 0 { Sex::Male } else { Sex::Female },
        Leaf::Foreign(foreign) => *foreign = index == 0,
        Leaf::Subject(subject) => *subject = index == 0,
        Leaf::Relation(relations) => {
            if let Some(relation) = Relation::ALL.get(index) {
                toggle(relations, *relation);
                relations.sort_by_key(|r| Relation::ALL.iter().position(|x| x == r));
            }
        }
        _ => {}
    }
}

/// Sets a number value (ages are never negative).
pub fn set_number(leaf: &mut Leaf, number: i64) {
    match leaf {
        Leaf::Answer {
            value: value @ Value::Number(_),
            ..
        } => *value = Value::Number(number),
        Leaf::Age(_, _, years) => *years = u32::try_from(number.max(0)).unwrap_or(0),
        _ => {}
    }
}

/// Sets a date value from typed text (和暦 or 西暦); false when it is not a date.
pub fn set_date(leaf: &mut Leaf, text: &str) -> bool {
    match (leaf, madoguchi_domain::input::date(text).ok()) {
        (
            Leaf::Answer {
                value: value @ Value::Date(_),
                ..
            },
            Some(day),
        ) => {
            *value = Value::Date(day);
            true
        }
        _ => false,
    }
}
