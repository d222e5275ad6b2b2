//! The emulator's sign-in page and error page: plain HTML forms, every value escaped.

use std::fmt::Write as _;

/// Escapes text for HTML element content and quoted attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem}\
label{display:block;margin:.8rem 0}input[type=email],input[type=password]{display:block;width:100%;padding:.4rem}\
.error{color:#b00020}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title} · Adobe IMS emulator</title><style>{STYLE}</style></head>\n<body><main>{body}</main></body></html>\n",
        title = escape(title),
    )
}

/// The sign-in form. `hidden` are the authorize parameters, carried through the form
/// unchanged; `client` names the application the user signs in to.
pub(crate) fn sign_in(
    hidden: &[(&str, &str)],
    client: &str,
    email: &str,
    error: Option<&str>,
) -> String {
    let mut body = String::from("<h1>Sign in</h1>");
    let _ = write!(
        body,
        "<p>to continue to <strong id=\"client\">{}</strong></p>",
        escape(client)
    );
    if let Some(error) = error {
        let _ = write!(
            body,
            "<p class=\"error\" id=\"error\" role=\"alert\">{}</p>",
            escape(error)
        );
    }
    body.push_str("<form method=\"post\" action=\"/ims/authorize/v2\" id=\"sign-in\">");
    for (name, value) in hidden {
        let _ = write!(
            body,
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            escape(name),
            escape(value)
        );
    }
    let _ = write!(
        body,
        "<label>Email address<input type=\"email\" name=\"email\" id=\"email\" value=\"{}\" \
autocomplete=\"username\" required autofocus></label>\
<label>Password<input type=\"password\" name=\"password\" id=\"password\" \
autocomplete=\"current-password\" required></label>\
<button type=\"submit\" id=\"submit\">Continue</button></form>",
        escape(email)
    );
    page("Sign in", &body)
}

/// A page for an authorize request that cannot be sent back to the client.
pub(crate) fn error(message: &str) -> String {
    page(
        "Sign-in error",
        &format!(
            "<h1>This sign-in link does not work</h1><p class=\"error\" id=\"error\">{}</p>",
            escape(message)
        ),
    )
}
