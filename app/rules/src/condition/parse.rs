//! The parser for the condition language, with type checking against the catalogue.

use madoguchi_domain::{EventKind, IdentityDocument, Relation, Sex};

use super::{AgeKind, Condition, MemberCondition, MemberFact, Op, Quantity, Value};

/// A parse or type error at a byte offset of the condition text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

/// What the parser needs to know about a question to check a comparison with it.
#[derive(Clone, Debug)]
pub enum AnswerShape<'a> {
    YesNo,
    Number,
    Date,
    /// A choice among these option ids.
    Choice(Vec<&'a str>),
    /// A question about members ("who registers a seal?"). Over the case, `= yes` means it
    /// names someone and `= no` nobody; inside `any_member(…)`, `= yes` means it names that
    /// member.
    Members,
}

/// Resolves question ids while parsing.
pub trait QuestionLookup {
    /// The question's index in the catalogue and the shape of its answers.
    fn lookup(&self, id: &str) -> Option<(usize, AnswerShape<'_>)>;

    /// The catalogue's events, which `event = …` may name.
    fn events(&self) -> Vec<EventKind>;
}

/// Parses a condition over a case.
pub fn parse_condition(
    text: &str,
    questions: &dyn QuestionLookup,
) -> Result<Condition, ParseError> {
    let mut parser = Parser::new(text, questions)?;
    let condition = parser.condition()?;
    parser.expect_end()?;
    Ok(condition)
}

/// Parses a condition over one member (used by tests and tools).
pub fn parse_member_condition(text: &str) -> Result<MemberCondition, ParseError> {
    struct NoQuestions;
    impl QuestionLookup for NoQuestions {
        fn lookup(&self, _: &str) -> Option<(usize, AnswerShape<'_>)> {
            None
        }

        fn events(&self) -> Vec<EventKind> {
            Vec::new()
        }
    }
    let mut parser = Parser::new(text, &NoQuestions)?;
    let condition = parser.member_condition()?;
    parser.expect_end()?;
    Ok(condition)
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Word(String),
    Number(i64),
    Date(chrono::NaiveDate),
    Op(Op),
    Open,
    Close,
    OpenList,
    CloseList,
    Comma,
    End,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Word(w) => format!("`{w}`"),
            Token::Number(n) => format!("`{n}`"),
            Token::Date(d) => format!("`{d}`"),
            Token::Op(op) => format!("`{}`", op.symbol()),
            Token::Open => "`(`".into(),
            Token::Close => "`)`".into(),
            Token::OpenList => "`[`".into(),
            Token::CloseList => "`]`".into(),
            Token::Comma => "`,`".into(),
            Token::End => "the end of the condition".into(),
        }
    }
}

fn error(offset: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        offset,
        message: message.into(),
    }
}

fn tokenize(text: &str) -> Result<Vec<(usize, Token)>, ParseError> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let token = match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'(' => Token::Open,
            b')' => Token::Close,
            b'[' => Token::OpenList,
            b']' => Token::CloseList,
            b',' => Token::Comma,
            b'=' => Token::Op(Op::Eq),
            b'!' if bytes.get(i + 1) == Some(&b'=') => {
                i += 1;
                Token::Op(Op::Ne)
            }
            b'<' | b'>' => {
                let with_eq = bytes.get(i + 1) == Some(&b'=');
                if with_eq {
                    i += 1;
                }
                Token::Op(match (c, with_eq) {
                    (b'<', false) => Op::Lt,
                    (b'<', true) => Op::Le,
                    (_, false) => Op::Gt,
                    (_, true) => Op::Ge,
                })
            }
            b'0'..=b'9' | b'-' => {
                i += 1;
                while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'-') {
                    i += 1;
                }
                tokens.push((start, number_or_date(&text[start..i], start)?));
                continue;
            }
            c if c.is_ascii_lowercase() || c == b'_' => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_lowercase()
                        || bytes[i].is_ascii_digit()
                        || bytes[i] == b'_')
                {
                    i += 1;
                }
                tokens.push((start, Token::Word(text[start..i].to_string())));
                continue;
            }
            _ => {
                let shown = text[start..].chars().next().unwrap_or('?');
                return Err(error(
                    start,
                    format!(
                        "unexpected character `{shown}` (ids are lower-case ASCII: a-z, 0-9, _)"
                    ),
                ));
            }
        };
        tokens.push((start, token));
        i += 1;
    }
    tokens.push((text.len(), Token::End));
    check_depth(&tokens)?;
    Ok(tokens)
}

/// How deep parentheses may nest. The shipped catalogue nests 4 deep; a limit keeps the
/// recursive parser, the evaluator and the printer far from the end of their stack.
pub const MAX_DEPTH: usize = 32;

fn check_depth(tokens: &[(usize, Token)]) -> Result<(), ParseError> {
    let mut depth = 0usize;
    for (offset, token) in tokens {
        match token {
            Token::Open => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(error(
                        *offset,
                        format!("conditions nest more than {MAX_DEPTH} deep; split the rule"),
                    ));
                }
            }
            Token::Close => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn number_or_date(word: &str, offset: usize) -> Result<Token, ParseError> {
    if word.len() > 4 && word[4..].starts_with('-') {
        return match chrono::NaiveDate::parse_from_str(word, "%Y-%m-%d") {
            Ok(date) if madoguchi_domain::limits::date_in_window(date) => Ok(Token::Date(date)),
            Ok(date) => Err(error(
                offset,
                format!(
                    "`{date}` lies outside the dates Madoguchi handles ({} to {})",
                    madoguchi_domain::limits::FIRST_DAY,
                    madoguchi_domain::limits::LAST_DAY
                ),
            )),
            Err(_) => Err(error(
                offset,
                format!("`{word}` is not a valid date (write YYYY-MM-DD)"),
            )),
        };
    }
    word.parse::<i64>()
        .map(Token::Number)
        .map_err(|_| error(offset, format!("`{word}` is not a whole number or a date")))
}

struct Parser<'a> {
    tokens: Vec<(usize, Token)>,
    at: usize,
    questions: &'a dyn QuestionLookup,
}

const CASE_FORMS: &str = "all(…), any(…), not(…), event …, identified_by …, any_member(…), \
                          all_members(…), no_member(…), count(…) or a question id";
const MEMBER_FORMS: &str = "all(…), any(…), not(…), age, school_age, birthday_age, sex, \
                            nationality, relation";

impl<'a> Parser<'a> {
    fn new(text: &str, questions: &'a dyn QuestionLookup) -> Result<Parser<'a>, ParseError> {
        Ok(Parser {
            tokens: tokenize(text)?,
            at: 0,
            questions,
        })
    }

    fn peek(&self) -> &Token {
        &self.tokens[self.at.min(self.tokens.len() - 1)].1
    }

    fn offset(&self) -> usize {
        self.tokens[self.at.min(self.tokens.len() - 1)].0
    }

    fn next(&mut self) -> (usize, Token) {
        let item = self.tokens[self.at.min(self.tokens.len() - 1)].clone();
        self.at += 1;
        item
    }

    fn expect(&mut self, wanted: Token) -> Result<(), ParseError> {
        let (offset, token) = self.next();
        if token == wanted {
            Ok(())
        } else {
            Err(error(
                offset,
                format!(
                    "expected {} but found {}",
                    wanted.describe(),
                    token.describe()
                ),
            ))
        }
    }

    fn expect_end(&mut self) -> Result<(), ParseError> {
        match self.peek() {
            Token::End => Ok(()),
            other => Err(error(
                self.offset(),
                format!(
                    "unexpected {} after a complete condition (separate parts with `,` inside all(…) or any(…))",
                    other.describe()
                ),
            )),
        }
    }

    fn word(&mut self, what: &str) -> Result<(usize, String), ParseError> {
        match self.next() {
            (offset, Token::Word(w)) => Ok((offset, w)),
            (offset, other) => Err(error(
                offset,
                format!("expected {what} but found {}", other.describe()),
            )),
        }
    }

    fn op(&mut self) -> Result<(usize, Op), ParseError> {
        match self.next() {
            (offset, Token::Op(op)) => Ok((offset, op)),
            (offset, other) => Err(error(
                offset,
                format!(
                    "expected a comparison (=, !=, <, <=, >, >=) but found {}",
                    other.describe()
                ),
            )),
        }
    }

    fn small_number(&mut self) -> Result<u32, ParseError> {
        match self.next() {
            (offset, Token::Number(n)) => u32::try_from(n)
                .map_err(|_| error(offset, format!("`{n}` must be a whole number from 0"))),
            (offset, other) => Err(error(
                offset,
                format!("expected a number but found {}", other.describe()),
            )),
        }
    }

    /// `( item , item … )` with at least one item.
    fn arguments<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<T, ParseError>,
    ) -> Result<Vec<T>, ParseError> {
        self.expect(Token::Open)?;
        let mut items = vec![item(self)?];
        loop {
            match self.next() {
                (_, Token::Comma) if *self.peek() == Token::Close => {
                    self.next();
                    return Ok(items);
                }
                (_, Token::Comma) => items.push(item(self)?),
                (_, Token::Close) => return Ok(items),
                (offset, other) => {
                    return Err(error(
                        offset,
                        format!("expected `,` or `)` but found {}", other.describe()),
                    ));
                }
            }
        }
    }

    /// `= word`, `!= word` or `in [word, …]`, giving the words and whether it was negated.
    fn membership(&mut self) -> Result<(Vec<(usize, String)>, bool), ParseError> {
        match self.next() {
            (_, Token::Op(Op::Eq)) => Ok((vec![self.word("a value")?], false)),
            (_, Token::Op(Op::Ne)) => Ok((vec![self.word("a value")?], true)),
            (_, Token::Word(w)) if w == "in" => {
                self.expect(Token::OpenList)?;
                let mut words = vec![self.word("a value")?];
                while *self.peek() == Token::Comma {
                    self.next();
                    words.push(self.word("a value")?);
                }
                self.expect(Token::CloseList)?;
                Ok((words, false))
            }
            (offset, other) => Err(error(
                offset,
                format!(
                    "expected `=`, `!=` or `in [...]` but found {}",
                    other.describe()
                ),
            )),
        }
    }

    fn condition(&mut self) -> Result<Condition, ParseError> {
        let (offset, head) = self.word(CASE_FORMS)?;
        match head.as_str() {
            "all" => Ok(Condition::All(self.arguments(Self::condition)?)),
            "any" => Ok(Condition::Any(self.arguments(Self::condition)?)),
            "not" => {
                let mut inner = self.arguments(Self::condition)?;
                if inner.len() != 1 {
                    return Err(error(offset, "not(…) takes exactly one condition"));
                }
                Ok(Condition::Not(Box::new(inner.remove(0))))
            }
            "event" => self.event(),
            "identified_by" => self.identified_by(),
            "any_member" | "all_members" | "no_member" => {
                let filter = self.single_member_argument(offset, &head)?;
                let quantity = match head.as_str() {
                    "any_member" => Quantity::Some,
                    "all_members" => Quantity::Every,
                    _ => Quantity::None,
                };
                Ok(Condition::Members { filter, quantity })
            }
            "count" => {
                let filter = self.single_member_argument(offset, &head)?;
                let (_, op) = self.op()?;
                let n = self.small_number()?;
                Ok(Condition::Members {
                    filter,
                    quantity: Quantity::Count(op, n),
                })
            }
            _ => self.answer(offset, &head),
        }
    }

    fn single_member_argument(
        &mut self,
        offset: usize,
        head: &str,
    ) -> Result<MemberCondition, ParseError> {
        let mut inner = self.arguments(Self::member_condition)?;
        if inner.len() != 1 {
            return Err(error(
                offset,
                format!("{head}(…) takes one member condition; combine several with all(…)"),
            ));
        }
        Ok(inner.remove(0))
    }

    fn event(&mut self) -> Result<Condition, ParseError> {
        let (words, negated) = self.membership()?;
        let known = self.questions.events();
        let mut kinds = Vec::new();
        for (offset, word) in words {
            let kind = EventKind::new(&word)
                .ok()
                .filter(|kind| known.contains(kind))
                .ok_or_else(|| {
                    let names: Vec<&str> = known.iter().map(|k| k.id()).collect();
                    error(
                        offset,
                        format!("unknown event `{word}` (known: {})", names.join(", ")),
                    )
                })?;
            kinds.push(kind);
        }
        if negated {
            kinds = known.into_iter().filter(|k| !kinds.contains(k)).collect();
        }
        Ok(Condition::EventIn(kinds))
    }

    /// `identified_by = driving_licence`, `in [...]`, or `!=` (which a case identified by no
    /// card also matches).
    fn identified_by(&mut self) -> Result<Condition, ParseError> {
        let (words, negated) = self.membership()?;
        let mut documents = Vec::new();
        for (offset, word) in words {
            let document = IdentityDocument::from_id(&word).ok_or_else(|| {
                let names: Vec<&str> = IdentityDocument::ALL.iter().map(|d| d.id()).collect();
                error(
                    offset,
                    format!("unknown ID card `{word}` (known: {})", names.join(", ")),
                )
            })?;
            documents.push(document);
        }
        let condition = Condition::IdentifiedBy(documents);
        Ok(if negated {
            Condition::Not(Box::new(condition))
        } else {
            condition
        })
    }

    fn answer(&mut self, offset: usize, id: &str) -> Result<Condition, ParseError> {
        let questions = self.questions;
        let Some((question, shape)) = questions.lookup(id) else {
            return Err(error(
                offset,
                format!("unknown question `{id}` (or a misspelt {CASE_FORMS})"),
            ));
        };
        if matches!(self.peek(), Token::Word(w) if w == "in") {
            let (words, _) = self.membership()?;
            let values = words
                .into_iter()
                .map(|(at, word)| self.value_for(id, &shape, at, Token::Word(word)))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(Condition::AnswerIn { question, values });
        }
        let (op_offset, op) = self.op()?;
        let (value_offset, token) = self.next();
        let value = self.value_for(id, &shape, value_offset, token)?;
        let ordered = matches!(value, Value::Number(_) | Value::Date(_));
        if !ordered && !matches!(op, Op::Eq | Op::Ne) {
            return Err(error(
                op_offset,
                format!("`{id}` can only be compared with = or !="),
            ));
        }
        Ok(Condition::Answer {
            question,
            op,
            value,
        })
    }

    fn value_for(
        &self,
        id: &str,
        shape: &AnswerShape<'_>,
        offset: usize,
        token: Token,
    ) -> Result<Value, ParseError> {
        match (shape, token) {
            (AnswerShape::YesNo | AnswerShape::Members, Token::Word(w)) if w == "yes" => {
                Ok(Value::Yes)
            }
            (AnswerShape::YesNo | AnswerShape::Members, Token::Word(w)) if w == "no" => {
                Ok(Value::No)
            }
            (AnswerShape::Members, other) => Err(error(
                offset,
                format!(
                    "`{id}` is a question about members: compare it with yes (names someone) or no (names nobody), not {}",
                    other.describe()
                ),
            )),
            (AnswerShape::YesNo, other) => Err(error(
                offset,
                format!(
                    "`{id}` is a yes/no question: compare it with yes or no, not {}",
                    other.describe()
                ),
            )),
            (AnswerShape::Number, Token::Number(n)) => Ok(Value::Number(n)),
            (AnswerShape::Number, other) => Err(error(
                offset,
                format!("`{id}` takes a number, not {}", other.describe()),
            )),
            (AnswerShape::Date, Token::Date(d)) => Ok(Value::Date(d)),
            (AnswerShape::Date, other) => Err(error(
                offset,
                format!("`{id}` takes a date (YYYY-MM-DD), not {}", other.describe()),
            )),
            (AnswerShape::Choice(options), Token::Word(w)) if options.contains(&w.as_str()) => {
                Ok(Value::Choice(w))
            }
            (AnswerShape::Choice(options), other) => Err(error(
                offset,
                format!(
                    "`{id}` has no option {} (options: {})",
                    other.describe(),
                    options.join(", ")
                ),
            )),
        }
    }

    fn member_condition(&mut self) -> Result<MemberCondition, ParseError> {
        let (offset, head) = self.word(MEMBER_FORMS)?;
        let fact = match head.as_str() {
            "all" => {
                return Ok(MemberCondition::All(
                    self.arguments(Self::member_condition)?,
                ));
            }
            "any" => {
                return Ok(MemberCondition::Any(
                    self.arguments(Self::member_condition)?,
                ));
            }
            "not" => {
                let mut inner = self.arguments(Self::member_condition)?;
                if inner.len() != 1 {
                    return Err(error(offset, "not(…) takes exactly one condition"));
                }
                return Ok(MemberCondition::Not(Box::new(inner.remove(0))));
            }
            "age" | "school_age" | "birthday_age" => {
                let kind = match head.as_str() {
                    "age" => AgeKind::Legal,
                    "school_age" => AgeKind::School,
                    _ => AgeKind::Birthday,
                };
                let (_, op) = self.op()?;
                MemberFact::Age(kind, op, self.small_number()?)
            }
            "sex" => {
                self.expect(Token::Op(Op::Eq))?;
                match self.word("male or female")? {
                    (_, w) if w == "male" => MemberFact::Sex(Sex::Male),
                    (_, w) if w == "female" => MemberFact::Sex(Sex::Female),
                    (at, w) => return Err(error(at, format!("sex is male or female, not `{w}`"))),
                }
            }
            "nationality" => {
                self.expect(Token::Op(Op::Eq))?;
                match self.word("foreign or japanese")? {
                    (_, w) if w == "foreign" => MemberFact::Foreign(true),
                    (_, w) if w == "japanese" => MemberFact::Foreign(false),
                    (at, w) => {
                        return Err(error(
                            at,
                            format!("nationality is foreign or japanese, not `{w}`"),
                        ));
                    }
                }
            }
            "subject" => {
                self.expect(Token::Op(Op::Eq))?;
                match self.word("yes or no")? {
                    (_, w) if w == "yes" => MemberFact::Subject(true),
                    (_, w) if w == "no" => MemberFact::Subject(false),
                    (at, w) => return Err(error(at, format!("subject is yes or no, not `{w}`"))),
                }
            }
            "relation" => {
                let (words, negated) = self.membership()?;
                let mut relations = Vec::new();
                for (at, word) in words {
                    relations.push(Relation::from_id(&word).ok_or_else(|| {
                        let known: Vec<_> = Relation::ALL.iter().map(|r| r.id()).collect();
                        error(
                            at,
                            format!("unknown relation `{word}` (known: {})", known.join(", ")),
                        )
                    })?);
                }
                if negated {
                    relations = Relation::ALL
                        .into_iter()
                        .filter(|r| !relations.contains(r))
                        .collect();
                }
                MemberFact::RelationIn(relations)
            }
            _ => match self.questions.lookup(&head) {
                Some((question, AnswerShape::Members)) => {
                    let (op_offset, op) = self.op()?;
                    let (value_offset, token) = self.next();
                    let value =
                        self.value_for(&head, &AnswerShape::Members, value_offset, token)?;
                    let named = value == Value::Yes;
                    match op {
                        Op::Eq => MemberFact::Named { question, named },
                        Op::Ne => MemberFact::Named {
                            question,
                            named: !named,
                        },
                        _ => {
                            return Err(error(
                                op_offset,
                                format!("`{head}` can only be compared with = or !="),
                            ));
                        }
                    }
                }
                Some(_) => {
                    return Err(error(
                        offset,
                        format!(
                            "`{head}` is asked of the whole household, not of each member: use it outside any_member(…), or make it a `members` question"
                        ),
                    ));
                }
                None => {
                    return Err(error(
                        offset,
                        format!(
                            "unknown member fact `{head}` (expected {MEMBER_FORMS}, or a question about members)"
                        ),
                    ));
                }
            },
        };
        Ok(MemberCondition::Fact(fact))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Questions {
        insurance_options: Vec<String>,
    }

    impl QuestionLookup for Questions {
        fn lookup(&self, id: &str) -> Option<(usize, AnswerShape<'_>)> {
            match id {
                "dog" => Some((0, AnswerShape::YesNo)),
                "children" => Some((1, AnswerShape::Number)),
                "insurance" => Some((
                    2,
                    AnswerShape::Choice(
                        self.insurance_options.iter().map(String::as_str).collect(),
                    ),
                )),
                _ => None,
            }
        }

        fn events(&self) -> Vec<EventKind> {
            vec![EventKind::TENNYU, EventKind::TENKYO, EventKind::TENSHUTSU]
        }
    }

    fn parse(text: &str) -> Result<Condition, ParseError> {
        let questions = Questions {
            insurance_options: vec!["kokuho".into(), "shaho".into()],
        };
        parse_condition(text, &questions)
    }

    #[test]
    fn parses_a_nested_condition() {
        let parsed = parse(
            "all(event in [tennyu, tenkyo], # the move\n dog = yes, children >= 2,\n any_member(all(age < 18, sex = female)),)",
        )
        .expect("parses");
        let Condition::All(parts) = parsed else {
            panic!("expected all")
        };
        assert_eq!(parts.len(), 4);
        assert_eq!(
            parts[0],
            Condition::EventIn(vec![EventKind::TENNYU, EventKind::TENKYO])
        );
        assert_eq!(
            parts[2],
            Condition::Answer {
                question: 1,
                op: Op::Ge,
                value: Value::Number(2)
            }
        );
    }

    #[test]
    fn negated_event_and_relation_become_sets() {
        assert_eq!(
            parse("event != tenshutsu").expect("parses"),
            Condition::EventIn(vec![EventKind::TENNYU, EventKind::TENKYO])
        );
        assert_eq!(
            parse_member_condition("relation in [head, spouse]").expect("parses"),
            MemberCondition::Fact(MemberFact::RelationIn(vec![
                Relation::Head,
                Relation::Spouse
            ]))
        );
    }

    #[test]
    fn errors_point_at_the_offending_word() {
        let text = "all(event = tennyu, dogg = yes)";
        let err = parse(text).expect_err("unknown question");
        assert_eq!(err.offset, text.find("dogg").expect("present"));
        assert!(
            err.message.contains("unknown question `dogg`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn the_id_card_read_is_a_fact_of_the_case() {
        assert_eq!(
            parse("identified_by = driving_licence").expect("one"),
            Condition::IdentifiedBy(vec![IdentityDocument::DrivingLicence])
        );
        assert_eq!(
            parse("identified_by in [residence_card, special_permanent_certificate]")
                .expect("several"),
            Condition::IdentifiedBy(vec![
                IdentityDocument::ResidenceCard,
                IdentityDocument::SpecialPermanentCertificate
            ])
        );
        // 「〜でない」 includes a case identified by no card at all.
        assert_eq!(
            parse("identified_by != my_number_card").expect("negated"),
            Condition::Not(Box::new(Condition::IdentifiedBy(vec![
                IdentityDocument::MyNumberCard
            ])))
        );
        let unknown = parse("identified_by = passport").expect_err("unknown card");
        assert!(
            unknown.message.contains("unknown ID card `passport`")
                && unknown.message.contains("driving_licence"),
            "{}",
            unknown.message
        );
    }

    #[test]
    fn type_errors_are_caught() {
        assert!(
            parse("dog >= 2")
                .expect_err("type")
                .message
                .contains("yes or no")
        );
        assert!(
            parse("dog < yes")
                .expect_err("ordering")
                .message
                .contains("= or !=")
        );
        assert!(
            parse("children = yes")
                .expect_err("number")
                .message
                .contains("takes a number")
        );
        assert!(
            parse("insurance = nhk")
                .expect_err("option")
                .message
                .contains("no option")
        );
        assert!(
            parse("event = moving")
                .expect_err("event")
                .message
                .contains("unknown event")
        );
        assert!(
            parse("any_member(height > 3)")
                .expect_err("fact")
                .message
                .contains("unknown member fact")
        );
    }

    #[test]
    fn malformed_text_never_panics() {
        for text in [
            "",
            "all(",
            "all()",
            "not(dog = yes, dog = no)",
            "count(age < 3)",
            "event",
            "(",
            "年齢 < 3",
            "age < 99999999999",
            "2024-13-01",
            "all(dog = yes dog = no)",
        ] {
            assert!(parse(text).is_err(), "{text:?} should not parse");
        }
    }
}
