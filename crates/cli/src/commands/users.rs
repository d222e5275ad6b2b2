use std::io::Read as _;

use crate::say;
use anyhow::{Context as _, bail};
use imsbridge_service::passwords;
use imsbridge_service::users::{CreateUser, UpdateUser};
use secrecy::{ExposeSecret, SecretString};

use crate::cli::UsersCommand;
use crate::commands::open;
use crate::commands::remote::print_table;
use crate::settings::Settings;

/// `imsbridge users …`, directly on the store (works while the server runs), through the
/// same user operations as the API and the console.
pub async fn run(command: UsersCommand, settings: &Settings) -> anyhow::Result<()> {
    let store = open::store(settings).await?;
    let result = async {
        let (services, cli) = open::services(settings, &store)?;
        match command {
            UsersCommand::Add {
                username,
                role,
                password_stdin,
                break_glass,
            } => {
                let (password, generated) = new_password(password_stdin)?;
                let (user, _) = services
                    .create_user(
                        &cli,
                        &CreateUser {
                            username,
                            role,
                            password: Some(password.clone()),
                            break_glass,
                        },
                    )
                    .await?;
                let key = if break_glass {
                    "cli_user_added_break_glass"
                } else {
                    "cli_user_added"
                };
                say::print(
                    key,
                    &[
                        ("username", user.username.as_str().into()),
                        ("role", user.role.key().into()),
                    ],
                );
                show_generated(generated, &password);
            }
            UsersCommand::Passwd {
                username,
                password_stdin,
            } => {
                let (password, generated) = new_password(password_stdin)?;
                services
                    .update_user(
                        &cli,
                        &username,
                        &UpdateUser {
                            password: Some(password.clone()),
                            ..UpdateUser::default()
                        },
                    )
                    .await?;
                say::print(
                    "cli_password_changed",
                    &[("username", username.as_str().into())],
                );
                show_generated(generated, &password);
            }
            UsersCommand::Remove { username } => {
                services.delete_user(&cli, &username).await?;
                say::print(
                    "cli_user_removed",
                    &[("username", username.as_str().into())],
                );
            }
            UsersCommand::List => {
                let how = store.users_sign_in().await?;
                let rows: Vec<Vec<String>> = services
                    .list_users(&cli)
                    .await?
                    .into_iter()
                    .map(|u| {
                        let sign_in = match how.get(&u.id) {
                            Some(h) if h.sso_issuer.is_some() => "sso",
                            Some(h) if h.break_glass => "password (break-glass)",
                            _ => "password",
                        };
                        vec![
                            u.username,
                            u.role.key().to_owned(),
                            sign_in.to_owned(),
                            if u.disabled { "disabled" } else { "active" }.to_owned(),
                            u.created_at.format("%Y-%m-%d %H:%M").to_string(),
                        ]
                    })
                    .collect();
                print_table(&["USER", "ROLE", "SIGN-IN", "STATE", "CREATED"], &rows);
            }
        }
        anyhow::Ok(())
    }
    .await;
    store.close().await;
    result
}

/// Prints a generated password, once; one from standard input is not repeated.
fn show_generated(generated: bool, password: &SecretString) {
    if generated {
        say::print(
            "cli_password",
            &[("password", password.expose_secret().into())],
        );
    }
}

/// A password from standard input (checked against the policy), or a generated one.
fn new_password(from_stdin: bool) -> anyhow::Result<(SecretString, bool)> {
    if !from_stdin {
        return Ok((passwords::generate(), true));
    }
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .context(say::text("cli_password_stdin_failed"))?;
    let password = SecretString::from(s.trim_end_matches(['\r', '\n']).to_owned());
    if let Err(e) = passwords::check_policy(&password) {
        bail!("{e}");
    }
    Ok((password, false))
}
