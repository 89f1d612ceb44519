//! A contacts terminal app on the client generated from `examples/contacts/openapi.yaml`,
//! whose `/contacts` is `x-sync: live`: the list is read from a local SQLite collection,
//! typing a contact shows it at once, and writes made offline are sent when the server is
//! reachable again — also after quitting and starting the app again.
//!
//! ```sh
//! cargo run -p contacts-server -- --port 8080 &
//! cargo run -p contacts-tui -- http://127.0.0.1:8080
//! ```
//!
//! Keys: type `Name <email>` and Enter to add; Up/Down to select; Ctrl-D deletes the selected
//! contact; Esc or Ctrl-C quits. `--db PATH` chooses the SQLite file (`contacts-tui.sqlite3`),
//! `--user SCOPE` the user scope.

use std::error::Error;
use std::time::Duration;

use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph};
use sync_runtime::futures::StreamExt;
use sync_runtime::live::{self, LiveConfig, SyncState};
use tokio::sync::mpsc;

mod api {
    sync_macros::sync_api!("../contacts/openapi.yaml");
}

use api::{Contact, NewContact};

struct Args {
    server: String,
    database: String,
    user: String,
}

fn args() -> Result<Args, String> {
    let mut args =
        Args { server: "http://127.0.0.1:8080".into(), database: "contacts-tui.sqlite3".into(), user: String::new() };
    let mut given = std::env::args().skip(1);
    while let Some(arg) = given.next() {
        match arg.as_str() {
            "--db" => args.database = given.next().ok_or("--db needs a path")?,
            "--user" => args.user = given.next().ok_or("--user needs a scope")?,
            "-h" | "--help" => return Err("usage: contacts-tui [SERVER URL] [--db PATH] [--user SCOPE]".into()),
            url if !url.starts_with('-') => args.server = url.to_owned(),
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    Ok(args)
}

/// `Name <email>` (or `Name email`) into a new contact.
fn parse_contact(text: &str) -> Option<NewContact> {
    let text = text.trim();
    let (name, email) = match text.rsplit_once('<') {
        Some((name, email)) => (name.trim(), email.trim_end_matches('>').trim()),
        None => text.rsplit_once(' ')?,
    };
    (!name.is_empty() && !email.is_empty()).then(|| NewContact {
        name: name.trim().into(),
        email: email.into(),
        ..Default::default()
    })
}

enum Input {
    Key(KeyEvent),
    Changed,
    Failed(String),
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let args = args()?;
    live::configure(
        &args.server,
        LiveConfig {
            database: Some(args.database.clone().into()),
            user_scope: args.user.clone(),
            ..LiveConfig::default()
        },
    );
    let client = api::Client::new(args.server.clone())?;
    let contacts = client.contacts();

    let (events, mut inputs) = mpsc::unbounded_channel();
    // Terminal keys, read on a blocking thread.
    let keys = events.clone();
    std::thread::spawn(move || {
        loop {
            match event::poll(Duration::from_millis(100)) {
                Ok(true) => {
                    if let Ok(Event::Key(key)) = event::read()
                        && keys.send(Input::Key(key)).is_err()
                    {
                        return;
                    }
                }
                Ok(false) => {
                    if keys.is_closed() {
                        return;
                    }
                }
                Err(_) => return,
            }
        }
    });
    // Redraw on every change of the rows or of the sync status.
    let mut changes = contacts.subscribe_changes().ok_or("`contacts` is not a live resource")?;
    let mut status = Box::pin(contacts.status_stream());
    let redraw = events.clone();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                changed = changes.changed() => if changed.is_err() { return },
                next = status.next() => if next.is_none() { return },
            }
            if redraw.send(Input::Changed).is_err() {
                return;
            }
        }
    });
    // Writes the server rejected, also those replayed from an earlier run.
    let mut errors = Box::pin(contacts.errors());
    let failures = events.clone();
    tokio::spawn(async move {
        while let Some(error) = errors.next().await {
            let message = match error.error.as_ref() {
                sync_runtime::Error::Api { body, .. } => {
                    body.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
                }
                other => other.to_string(),
            };
            if failures.send(Input::Failed(format!("rejected {}: {message}", error.op.as_str()))).is_err() {
                return;
            }
        }
    });

    let mut terminal = ratatui::init();
    let mut typed = String::new();
    let mut selected = ListState::default();
    let mut notice = String::from("type `Name <email>` and Enter");
    let result: Result<(), Box<dyn Error>> = loop {
        let rows: Vec<Contact> =
            if contacts.status().state == SyncState::Loading { Vec::new() } else { contacts.list().await? };
        let status = contacts.status();
        if selected.selected().is_none_or(|i| i >= rows.len()) {
            selected.select(rows.len().checked_sub(1));
        }
        let drawn = terminal.draw(|frame| {
            let [list_area, input_area, status_area] =
                Layout::vertical([Constraint::Min(3), Constraint::Length(3), Constraint::Length(2)])
                    .areas(frame.area());
            let items: Vec<ListItem> =
                rows.iter().map(|c| ListItem::new(format!("{:<28} {}", c.name, c.email))).collect();
            let list = List::new(items)
                .block(Block::bordered().title(format!(" contacts ({}) ", rows.len())))
                .highlight_style(Style::default().add_modifier(Modifier::REVERSED));
            frame.render_stateful_widget(list, list_area, &mut selected);
            frame.render_widget(
                Paragraph::new(typed.as_str()).block(Block::bordered().title(" new contact ")),
                input_area,
            );
            let state = match status.state {
                SyncState::Loading => "loading",
                SyncState::Ready => "ready",
                SyncState::Offline => "offline",
            };
            let line = format!(
                " {state} · {} · {} pending write(s) · {notice}",
                if status.online { "online" } else { "not reaching the server" },
                status.pending_writes
            );
            frame.render_widget(Paragraph::new(vec![Line::from(line)]), status_area);
        });
        if let Err(err) = drawn {
            break Err(err.into());
        }
        let Some(input) = inputs.recv().await else {
            break Ok(());
        };
        match input {
            Input::Changed => {}
            Input::Failed(message) => notice = message,
            Input::Key(key) if key.kind != KeyEventKind::Press => {}
            Input::Key(key) => match (key.code, key.modifiers.contains(KeyModifiers::CONTROL)) {
                (KeyCode::Esc, _) | (KeyCode::Char('c'), true) => break Ok(()),
                (KeyCode::Char('d'), true) => {
                    if let Some(contact) = selected.selected().and_then(|i| rows.get(i)) {
                        match contacts.delete_local(contact.id) {
                            Ok(_) => notice = format!("deleted {}", contact.name),
                            Err(err) => notice = err.to_string(),
                        }
                    }
                }
                (KeyCode::Up, _) => selected.select_previous(),
                (KeyCode::Down, _) => selected.select_next(),
                (KeyCode::Backspace, _) => {
                    typed.pop();
                }
                (KeyCode::Enter, _) => match parse_contact(&typed) {
                    Some(new) => {
                        let name = new.name.clone();
                        match contacts.create_local(new) {
                            Ok(_) => {
                                notice = format!("added {name}");
                                typed.clear();
                            }
                            Err(err) => notice = err.to_string(),
                        }
                    }
                    None => notice = "type `Name <email>`".into(),
                },
                (KeyCode::Char(c), false) => typed.push(c),
                _ => {}
            },
        }
    };
    ratatui::restore();
    result
}
