use std::io::Write;
use std::time::Duration;

use clap::Parser;
use contacts_server::{Options, app};

/// Contacts reference server: REST API and Electric Shape endpoint (/v1/shape) on one port.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Port to listen on; 0 picks a free one (the URL printed at startup has it).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// `sqlite:<path>` or `postgres://...` [default: $DATABASE_URL, else sqlite:contacts.sqlite3]
    #[arg(long)]
    database_url: Option<String>,
    /// How long a live shape request waits for a change before answering up-to-date.
    #[arg(long, default_value_t = 20_000)]
    long_poll_ms: u64,
    /// Delete all contacts and the change log before serving (for tests and demos).
    #[arg(long)]
    reset: bool,
    /// `TOKEN=OWNER`: requests with `Authorization: Bearer TOKEN` act for OWNER and see only
    /// OWNER's contacts. Repeatable. Without any, the server is single-user and open.
    #[arg(long = "token", value_name = "TOKEN=OWNER", value_parser = parse_token)]
    tokens: Vec<(String, String)>,
    /// A browser origin (`http://localhost:5173`) allowed to call the server. Repeatable;
    /// without any, only pages served from the server's own origin can.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    allowed_origins: Vec<String>,
    /// Rows per snapshot response; larger shapes come in several responses.
    #[arg(long, default_value_t = 10_000)]
    snapshot_chunk_rows: usize,
}

fn parse_token(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((token, owner)) if !token.is_empty() && !owner.is_empty() => Ok((token.to_owned(), owner.to_owned())),
        _ => Err(format!("`{text}` is not TOKEN=OWNER")),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let options = Options {
        database_url: args
            .database_url
            .or_else(|| std::env::var("DATABASE_URL").ok().filter(|url| !url.is_empty()))
            .unwrap_or_else(|| "sqlite:contacts.sqlite3".into()),
        long_poll: Duration::from_millis(args.long_poll_ms),
        reset: args.reset,
        tokens: args.tokens.into_iter().collect(),
        allowed_origins: args.allowed_origins,
        snapshot_chunk_rows: args.snapshot_chunk_rows,
    };
    let app = app(&options).await?;
    let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port)).await?;
    let address = listener.local_addr()?;
    println!("contacts-server listening on http://{address}");
    std::io::stdout().flush()?;
    axum::serve(listener, app).await?;
    Ok(())
}
