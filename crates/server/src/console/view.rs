//! What every console page is made of: the chrome around it ([`Chrome`]), form fields that
//! carry their own error ([`FieldView`]), and small formatting helpers.

use chrono::{DateTime, Utc};

use super::assets;
use super::i18n::{Lang, Texts};

/// The signed-in user, as the header shows them.
#[derive(Clone, Debug)]
pub struct UserChrome {
    /// The user name.
    pub username: String,
    /// Whether the user is an admin (may change things).
    pub admin: bool,
}

/// A message shown once at the top of the next page (after POST → 303 → GET).
#[derive(Clone, Debug)]
pub struct FlashView {
    /// `success`, `info`, `warning` or `error`.
    pub kind: &'static str,
    /// The headline.
    pub title: String,
    /// More text, may be empty.
    pub message: String,
    /// Label/value pairs (IMS error code, debug id).
    pub details: Vec<(String, String)>,
}

/// The frame of every page: language, user, CSRF token, navigation, flash.
#[derive(Clone, Debug)]
pub struct Chrome {
    /// The page's language.
    pub lang: Lang,
    /// Its labels.
    pub t: Texts,
    /// The signed-in user, if any.
    pub user: Option<UserChrome>,
    /// The session's CSRF token, echoed by every form.
    pub csrf: String,
    /// Which navigation item is current.
    pub nav: &'static str,
    /// A message from the previous request.
    pub flash: Option<FlashView>,
    /// This page's path and query, where the language switch returns to.
    pub path: String,
    /// The `<title>`.
    pub title: String,
    /// Cache-busting version of the CSS and JS.
    pub asset_version: &'static str,
    /// The product version, in the footer.
    pub version: &'static str,
}

impl Chrome {
    /// A page in `lang` for `user`, titled `title`.
    pub fn new(lang: Lang, user: Option<UserChrome>, csrf: String, nav: &'static str) -> Self {
        Self {
            lang,
            t: Texts(lang),
            user,
            csrf,
            nav,
            flash: None,
            path: "/console/integrations".to_owned(),
            title: Texts(lang).get("ims_integrations").to_owned(),
            asset_version: assets::version(),
            version: env!("CARGO_PKG_VERSION"),
        }
    }

    /// Sets the `<title>`.
    #[must_use]
    pub fn titled(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// Sets where the language switch returns to.
    #[must_use]
    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// Adds a flash message.
    #[must_use]
    pub fn with_flash(mut self, flash: Option<FlashView>) -> Self {
        self.flash = flash;
        self
    }

    /// Whether the user is an admin.
    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.admin)
    }

    /// Whether the user may change configurations.
    pub fn can_write(&self) -> bool {
        self.is_admin()
    }

    /// The languages of the switch.
    pub fn languages(&self) -> &'static [Lang] {
        &Lang::ALL
    }
}

/// One `<option>`.
#[derive(Clone, Debug)]
pub struct OptionView {
    /// The submitted value.
    pub value: String,
    /// The visible label.
    pub label: String,
    /// Whether it is selected.
    pub selected: bool,
}

impl OptionView {
    /// An option, selected when `value == current`.
    pub fn new(value: impl Into<String>, label: impl Into<String>, current: &str) -> Self {
        let value = value.into();
        let selected = value == current;
        Self {
            value,
            label: label.into(),
            selected,
        }
    }
}

/// A form field with its value, hint and error, rendered by the `field` macro so that an
/// error always sits beside the field it concerns.
#[derive(Clone, Debug)]
pub struct FieldView {
    /// The form name, also the element id (`f-<name>`) and the API's field name.
    pub name: &'static str,
    /// The label.
    pub label: &'static str,
    /// `text`, `password`, `select` or `textarea`.
    pub kind: &'static str,
    /// The current value (always empty for secrets).
    pub value: String,
    /// What is wrong with the value, if anything.
    pub error: Option<String>,
    /// Help shown under the field.
    pub hint: String,
    /// Placeholder text.
    pub placeholder: String,
    /// Whether a value is required.
    pub required: bool,
    /// "required", for screen readers.
    pub required_label: &'static str,
    /// Whether the field is disabled (read-only JWT).
    pub disabled: bool,
    /// Whether it spans both columns.
    pub wide: bool,
    /// Whether the value is code-like (monospace).
    pub mono: bool,
    /// The options of a select.
    pub options: Vec<OptionView>,
    /// The id of the form the field belongs to, when not the enclosing one.
    pub form: &'static str,
}

impl FieldView {
    /// A text field.
    pub fn text(
        t: Texts,
        name: &'static str,
        label: &'static str,
        value: impl Into<String>,
    ) -> Self {
        Self {
            name,
            label,
            kind: "text",
            value: value.into(),
            error: None,
            hint: String::new(),
            placeholder: String::new(),
            required: false,
            required_label: t.get("required"),
            disabled: false,
            wide: false,
            mono: false,
            options: Vec::new(),
            form: "",
        }
    }

    /// A secret field: always rendered empty.
    pub fn secret(t: Texts, name: &'static str, label: &'static str) -> Self {
        Self {
            kind: "password",
            ..Self::text(t, name, label, String::new())
        }
    }

    /// A select.
    pub fn select(
        t: Texts,
        name: &'static str,
        label: &'static str,
        options: Vec<OptionView>,
    ) -> Self {
        Self {
            kind: "select",
            options,
            ..Self::text(t, name, label, String::new())
        }
    }

    /// Marks the field required.
    #[must_use]
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Disables the field.
    #[must_use]
    pub fn disabled(mut self, disabled: bool) -> Self {
        self.disabled = disabled;
        self
    }

    /// Spans both columns.
    #[must_use]
    pub fn wide(mut self) -> Self {
        self.wide = true;
        self
    }

    /// Monospace.
    #[must_use]
    pub fn mono(mut self) -> Self {
        self.mono = true;
        self
    }

    /// Sets the hint.
    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }

    /// Attaches the field to another form.
    #[must_use]
    pub fn in_form(mut self, form: &'static str) -> Self {
        self.form = form;
        self
    }

    /// Sets the placeholder.
    #[must_use]
    pub fn placeholder(mut self, placeholder: impl Into<String>) -> Self {
        self.placeholder = placeholder.into();
        self
    }

    /// Sets the error.
    #[must_use]
    pub fn error(mut self, error: Option<String>) -> Self {
        self.error = error;
        self
    }

    /// The ids of the error and hint, for `aria-describedby`.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if self.error.is_some() {
            ids.push(format!("f-{}-error", self.name));
        }
        if !self.hint.is_empty() {
            ids.push(format!("f-{}-hint", self.name));
        }
        ids.join(" ")
    }
}

/// A time as the console shows it: UTC, to the minute.
pub fn format_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A time for `datetime` attributes.
pub fn iso_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Whether `next` is a path on this site (not `//host` or a full URL), so that redirecting to
/// it cannot send anyone elsewhere.
pub fn is_local_path(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.contains(['\r', '\n'])
}

/// `path` with a query of `pairs`, encoded as a form encodes them; pairs with an empty value
/// are left out, and so is the `?` when none is left.
pub fn link<K, V>(path: &str, pairs: impl IntoIterator<Item = (K, V)>) -> String
where
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    let mut empty = true;
    for (key, value) in pairs {
        if !value.as_ref().is_empty() {
            query.append_pair(key.as_ref(), value.as_ref());
            empty = false;
        }
    }
    if empty {
        path.to_owned()
    } else {
        format!("{path}?{}", query.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::link;

    #[test]
    fn a_link_encodes_its_values_and_leaves_out_the_empty_ones() {
        assert_eq!(
            link(
                "/console/audit",
                [("page", "2"), ("actor", "a&b=c ü"), ("to", "")]
            ),
            "/console/audit?page=2&actor=a%26b%3Dc+%C3%BC"
        );
        assert_eq!(link("/console/login", [("next", "")]), "/console/login");
    }
}
