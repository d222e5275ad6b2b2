use std::io::Read as _;

use anyhow::{Context as _, bail};
use imsbridge_server::auth::passwords;
use imsbridge_store::{AuditContext, NewUser, Role};
use secrecy::{ExposeSecret, SecretString};

use crate::cli::UsersCommand;
use crate::commands::open;
use crate::commands::remote::print_table;
use crate::settings::Settings;

/// `imsbridge users …`, directly on the store (works while the server runs).
pub async fn run(command: UsersCommand, settings: &Settings) -> anyhow::Result<()> {
    let store = open::store(settings).await?;
    let audit = AuditContext::actor("cli");
    let result = async {
        match command {
            UsersCommand::Add {
                username,
                role,
                password_stdin,
            } => {
                let role = Role::parse(&role).with_context(|| {
                    format!(
                        "{} is not a role; use admin or viewer",
                        imsbridge_domain::quoted(&role)
                    )
                })?;
                let (password, generated) = new_password(password_stdin)?;
                let password_hash = passwords::hash(password.clone()).await?;
                store
                    .create_user(
                        &NewUser {
                            username: username.clone(),
                            password_hash,
                            role,
                        },
                        &audit,
                    )
                    .await?;
                println!("Added {username} ({}).", role.key());
                if generated {
                    println!("password: {}", password.expose_secret());
                }
            }
            UsersCommand::Passwd {
                username,
                password_stdin,
            } => {
                let user = store.get_user(&username).await?.with_context(|| {
                    format!("there is no user {}", imsbridge_domain::quoted(&username))
                })?;
                let (password, generated) = new_password(password_stdin)?;
                let hash = passwords::hash(password.clone()).await?;
                store.set_password_hash(user.id, &hash, &audit).await?;
                println!("Changed the password of {username}.");
                if generated {
                    println!("password: {}", password.expose_secret());
                }
            }
            UsersCommand::Remove { username } => {
                let user = store.get_user(&username).await?.with_context(|| {
                    format!("there is no user {}", imsbridge_domain::quoted(&username))
                })?;
                store.delete_user(user.id, &audit).await?;
                println!("Removed {username}.");
            }
            UsersCommand::List => {
                let rows: Vec<Vec<String>> = store
                    .list_users()
                    .await?
                    .into_iter()
                    .map(|u| {
                        vec![
                            u.username,
                            u.role.key().to_owned(),
                            if u.disabled { "disabled" } else { "active" }.to_owned(),
                            u.created_at.format("%Y-%m-%d %H:%M").to_string(),
                        ]
                    })
                    .collect();
                print_table(&["USER", "ROLE", "STATE", "CREATED"], &rows);
            }
        }
        anyhow::Ok(())
    }
    .await;
    store.close().await;
    result
}

/// A password from standard input (checked against the policy), or a generated one.
fn new_password(from_stdin: bool) -> anyhow::Result<(SecretString, bool)> {
    if !from_stdin {
        return Ok((passwords::generate(), true));
    }
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .context("could not read the password from standard input")?;
    let password = SecretString::from(s.trim_end_matches(['\r', '\n']).to_owned());
    if let Err(e) = passwords::check_policy(&password) {
        bail!("{e}");
    }
    Ok((password, false))
}
