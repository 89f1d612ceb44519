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
    };
    let app = app(&options).await?;
    let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port)).await?;
    let address = listener.local_addr()?;
    println!("contacts-server listening on http://{address}");
    std::io::stdout().flush()?;
    axum::serve(listener, app).await?;
    Ok(())
}
