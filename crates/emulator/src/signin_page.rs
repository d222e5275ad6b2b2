//! The emulator's sign-in page and error page: plain HTML forms, drawn by askama templates
//! (`templates/signin*.html`), so every value is escaped.

use askama::Template;

/// The sign-in form.
#[derive(Template)]
#[template(path = "signin.html")]
struct SignIn<'a> {
    hidden: &'a [(&'a str, &'a str)],
    client: &'a str,
    email: &'a str,
    error: Option<&'a str>,
}

/// The page for an authorize request that cannot be sent back.
#[derive(Template)]
#[template(path = "signin_error.html")]
struct SignInError<'a> {
    message: &'a str,
}

/// The sign-in form. `hidden` are the authorize parameters, carried through the form
/// unchanged; `client` names the application the user signs in to.
pub(crate) fn sign_in(
    hidden: &[(&str, &str)],
    client: &str,
    email: &str,
    error: Option<&str>,
) -> String {
    SignIn {
        hidden,
        client,
        email,
        error,
    }
    .render()
    .unwrap_or_default()
}

/// A page for an authorize request that cannot be sent back to the client.
pub(crate) fn error(message: &str) -> String {
    SignInError { message }.render().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_in_the_sign_in_pages_is_escaped() {
        let page = sign_in(
            &[("state", "\"><script>x</script>")],
            "<b>app</b>",
            "a@b\"c",
            Some("<i>no</i>"),
        );
        assert!(!page.contains("<script>") && !page.contains("<b>") && !page.contains("<i>"));
        assert!(page.contains("value=\"&#34;&#62;&#60;script&#62;x&#60;/script&#62;\""));
        assert!(page.contains("value=\"a@b&#34;c\""));
        assert!(!error("<script>").contains("<script>"));
    }
}
