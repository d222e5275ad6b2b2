//! Validation and domain errors in the page's language, rendered from their kinds and
//! arguments (the API's `error` code, each field error's `kind` and `args`), never from the
//! English `message` the JSON API carries.

use imsbridge_service::{ErrorCode, FieldError, FieldErrorKind};

use super::i18n::{FluentValue, Texts};
use crate::error::ErrorBody;

/// The catalogue key of a field error, and the arguments it is formatted with: the kind's
/// message when the error carries the arguments that message needs, its plainer sibling
/// otherwise. English messages quote the service's own reason (`detail`).
pub fn field_error_message(e: &FieldError) -> (&'static str, Vec<(&'static str, String)>) {
    let arg = |name: &str| e.args.get(name).cloned();
    let detail = ("detail", capitalised(e.detail()));
    match (e.kind, arg("min"), arg("max"), arg("example")) {
        (FieldErrorKind::Missing, ..) => ("field_missing", Vec::new()),
        (FieldErrorKind::OutOfRange, Some(min), Some(max), _) => (
            "field_out_of_range",
            vec![detail, ("min", min), ("max", max)],
        ),
        (FieldErrorKind::TooLong, Some(min), Some(max), _) => {
            ("field_length", vec![detail, ("min", min), ("max", max)])
        }
        (FieldErrorKind::TooLong, None, Some(max), _) => {
            ("field_too_long", vec![detail, ("max", max)])
        }
        (FieldErrorKind::NotAllowed, ..) => ("field_not_allowed", vec![detail]),
        (_, _, _, Some(example)) => ("field_invalid_example", vec![detail, ("example", example)]),
        _ => ("field_invalid", vec![detail]),
    }
}

/// What is wrong with a field, in the page's language. A conflict placed on a field (a
/// name taken, JWT refused) carries its error code, whose message says it best.
pub fn field_error_text(t: Texts, e: &FieldError) -> String {
    if let Some(code) = e.args.get("code") {
        let key = format!("error_{code}");
        if t.0.has(&key) {
            return t.get(&key).to_owned();
        }
    }
    let (key, args) = field_error_message(e);
    let args: Vec<(&str, FluentValue<'_>)> = args
        .iter()
        .map(|(name, value)| (*name, FluentValue::from(value.as_str())))
        .collect();
    t.fmt(key, &args)
}

/// The catalogue key of an error code.
pub fn code_key(code: ErrorCode) -> String {
    format!("error_{}", code.as_str())
}

/// An API error, in the page's language: the first field's problem when fields are at fault,
/// else the code's message.
pub fn error_text(t: Texts, body: &ErrorBody) -> String {
    match body.errors.first() {
        Some(first) => field_error_text(t, first),
        None => t.get(&code_key(body.error)).to_owned(),
    }
}

/// `text` with its first letter upper-case (the service's reasons start in lower case, as
/// they follow a field's name).
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use imsbridge_i18n::Lang;

    #[test]
    fn a_field_error_reads_in_each_language_from_its_kind_and_args() {
        let e = FieldError::new(
            "org_id",
            FieldErrorKind::Invalid,
            "org_id: \"x\" does not end in @AdobeOrg",
        )
        .arg("problem", "\"x\" does not end in @AdobeOrg")
        .arg("example", "12345678ABCDEF@AdobeOrg");
        assert_eq!(
            field_error_text(Texts(Lang::En), &e),
            "\"x\" does not end in @AdobeOrg"
        );
        assert_eq!(
            field_error_text(Texts(Lang::Ko), &e),
            "올바르지 않은 값입니다. 예: 12345678ABCDEF@AdobeOrg"
        );
        let long =
            FieldError::new("title", FieldErrorKind::TooLong, "title: too long").arg("max", 200);
        assert_eq!(
            field_error_text(Texts(Lang::Ko), &long),
            "200자 이하로 입력하십시오."
        );
    }

    #[test]
    fn every_error_code_and_field_kind_has_words_in_every_language() {
        for lang in Lang::ALL {
            for code in ErrorCode::ALL {
                assert!(lang.has(&code_key(code)), "{lang:?} {code}");
            }
            let cases = [
                FieldError::new("title", FieldErrorKind::Missing, "title: is missing"),
                FieldError::new("name", FieldErrorKind::Invalid, "name: bad"),
                FieldError::new("name", FieldErrorKind::Invalid, "name: bad").arg("example", "a"),
                FieldError::new("limit", FieldErrorKind::OutOfRange, "limit: 0")
                    .arg("min", 1)
                    .arg("max", 9),
                FieldError::new("limit", FieldErrorKind::OutOfRange, "limit: 0"),
                FieldError::new("password", FieldErrorKind::TooLong, "password: short")
                    .arg("min", 12)
                    .arg("max", 1024),
                FieldError::new("title", FieldErrorKind::TooLong, "title: long").arg("max", 9),
                FieldError::new("name", FieldErrorKind::NotAllowed, "name: taken"),
            ];
            for e in &cases {
                let (key, args) = field_error_message(e);
                let args: Vec<(&str, FluentValue<'_>)> = args
                    .iter()
                    .map(|(n, v)| (*n, FluentValue::from(v.as_str())))
                    .collect();
                lang.try_fmt(key, &args)
                    .unwrap_or_else(|err| panic!("{lang:?} {key}: {err:?}"));
            }
        }
    }
}
