//! Who files the case at the counter (届出人) and in what capacity.
//!
//! The 届出人 is a household member — the person a form concerns (本人) or another member of
//! their household (世帯員) — or someone outside the household acting for them (代理人), who
//! brings a 委任状 signed by the member they act for. The case records a 代理人 in
//! [`Case::proxy`](crate::Case::proxy); the member they act for stays `Case::applicant`.
//! Family from outside the household (親族: a son living elsewhere after his father's death) is
//! a 代理人 with a `relation`; filing about the member an event is about (the person who died),
//! who cannot sign a 委任状, they bring none.

use serde::{Deserialize, Serialize};

use crate::person::Address;

/// A 代理人: someone outside the household filing for a member of it, with a 委任状.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proxy {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kana: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// A telephone number the office can call back, digits with optional hyphens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// What they are to the member the case is about, when they are family (子, 兄, 妻の弟 …,
    /// as the 届出人 box's 「続柄」 says it): they file as 親族.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation: Option<String>,
}

/// In what capacity the 届出人 files for the member a form concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FilerRole {
    /// The member themselves.
    SelfPerson,
    /// Another member of the same household.
    HouseholdMember,
    /// Someone outside the household, with a 委任状.
    Proxy,
    /// Family from outside the household (a 代理人 who says their 続柄).
    Relative,
}

impl FilerRole {
    /// The word forms print in the 届出人 box's 「本人・世帯員・代理人」.
    pub fn ja(self) -> &'static str {
        match self {
            FilerRole::SelfPerson => "本人",
            FilerRole::HouseholdMember => "世帯員",
            FilerRole::Proxy => "代理人",
            FilerRole::Relative => "親族",
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            FilerRole::SelfPerson => "self",
            FilerRole::HouseholdMember => "household",
            FilerRole::Proxy => "proxy",
            FilerRole::Relative => "relative",
        }
    }
}

/// Whether `phone` is a telephone number as forms print it: 10 or 11 digits (or a short
/// 3–9 digit extension-free local number), separated by hyphens at most one at a time.
pub fn is_phone(phone: &str) -> bool {
    let digits = phone.bytes().filter(u8::is_ascii_digit).count();
    (3..=11).contains(&digits)
        && phone.bytes().all(|b| b.is_ascii_digit() || b == b'-')
        && !phone.starts_with('-')
        && !phone.ends_with('-')
        && !phone.contains("--")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_as_residents_write_them() {
        assert!(is_phone("046-822-4000"));
        assert!(is_phone("09012345678"));
        assert!(!is_phone("046-822-40000000"));
        assert!(!is_phone("046--822"));
        assert!(!is_phone("-0468"));
        assert!(!is_phone("０４６"));
        assert!(!is_phone("tel 046"));
    }
}
