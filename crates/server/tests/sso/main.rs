//! Single sign-on through an OpenID Connect provider: the IMS emulator's real sign-in page,
//! and a scripted provider for every check an answer can fail.

mod emulator;
mod harness;
mod scripted;
