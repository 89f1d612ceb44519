//! The generated push client against a real axum server on loopback: round trips with path,
//! query and header parameters and bodies, typed errors on 4xx/5xx, timeouts, auth headers,
//! and the resource handle's `watch()`.

use std::time::Duration;

use sync_runtime::Error;
use sync_runtime::futures::StreamExt;
use sync_tests::server::ContactsServer;

sync_macros::sync_api!(spec = "specs/contacts.yaml", module = api);

use api::{Client, ContactPatch, ListContactsParams, NewContact, Problem, Status};

fn new_contact(name: &str) -> NewContact {
    NewContact { name: name.to_owned(), ..Default::default() }
}

async fn setup() -> (ContactsServer, Client) {
    let server = ContactsServer::start().await;
    let client = Client::new(server.base_url()).expect("a valid base URL");
    (server, client)
}

#[tokio::test]
async fn create_get_update_delete_round_trip() {
    let (_server, client) = setup().await;
    let created = client
        .create_contact(&NewContact {
            name: "Ada".into(),
            email: Some(Some("ada@example.com".into())),
            status: Some(Status::Active),
            tags: Some(vec!["math".into()]),
        })
        .await
        .expect("create");
    assert_eq!(created.name, "Ada");
    assert_eq!(created.status, Some(Status::Active));
    assert_eq!(created.created_at.map(|t| t.to_rfc3339()), Some("2024-05-01T12:00:00+00:00".into()));

    let fetched = client.get_contact(&created.id).await.expect("get");
    assert_eq!(fetched, created);

    // Absent fields stay; `Some(None)` sends `null` and clears the email.
    let patch = ContactPatch { name: Some("Ada Lovelace".into()), email: Some(None) };
    let updated = client.update_contact(&created.id, &patch).await.expect("update");
    assert_eq!(updated.name, "Ada Lovelace");
    assert_eq!(updated.email, Some(None), "sent back as `null`, not absent");
    assert_eq!(updated.tags, Some(vec!["math".into()]));

    client.delete_contact(&created.id).await.expect("delete");
    match client.get_contact(&created.id).await {
        Err(Error::Api { status: 404, body }) => {
            assert_eq!(*body, Problem { code: 404, message: format!("no contact {}", created.id) })
        }
        other => panic!("expected a typed 404, got {other:?}"),
    }
}

#[tokio::test]
async fn optional_nullable_fields_keep_absent_and_null_apart() {
    let absent: ContactPatch = serde_json::from_str("{}").unwrap();
    let null: ContactPatch = serde_json::from_str(r#"{"email": null}"#).unwrap();
    let value: ContactPatch = serde_json::from_str(r#"{"email": "a@b.c"}"#).unwrap();
    assert_eq!(absent.email, None);
    assert_eq!(null.email, Some(None));
    assert_eq!(value.email, Some(Some("a@b.c".into())));
    assert_eq!(serde_json::to_string(&absent).unwrap(), "{}");
    assert_eq!(serde_json::to_string(&null).unwrap(), r#"{"email":null}"#);
}

#[tokio::test]
async fn query_and_header_parameters_are_sent_as_the_spec_says() {
    let (server, client) = setup().await;
    for (name, tags) in [("a", vec!["x", "y"]), ("b", vec!["x"]), ("c", vec![])] {
        let new = NewContact { tags: Some(tags.into_iter().map(String::from).collect()), ..new_contact(name) };
        client.create_contact(&new).await.unwrap();
    }
    let params = ListContactsParams {
        limit: Some(10),
        tag: Some(vec!["x".into(), "y".into()]),
        x_request_id: Some("req-42".into()),
    };
    let found = client.list_contacts(params).await.expect("list");
    assert_eq!(found.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["a"]);

    let seen = server.seen().into_iter().rfind(|s| s.path == "/contacts" && s.query.is_some()).unwrap();
    // Arrays in `form` style, exploded: one pair per item.
    assert_eq!(seen.query.as_deref(), Some("limit=10&tag=x&tag=y"));
    assert_eq!(seen.headers.get("x-request-id").map(String::as_str), Some("req-42"));

    // Absent optional parameters send nothing.
    client.list_contacts(ListContactsParams::default()).await.unwrap();
    let last = server.seen().into_iter().last().unwrap();
    assert_eq!(last.query, None);
    assert!(!last.headers.contains_key("x-request-id"));
}

#[tokio::test]
async fn path_parameters_are_percent_encoded() {
    let (server, client) = setup().await;
    server.insert("a/b c?d", "Tricky");
    let contact = client.get_contact("a/b c?d").await.expect("get by an id with reserved characters");
    assert_eq!(contact.name, "Tricky");
}

#[tokio::test]
async fn declared_4xx_bodies_are_typed() {
    let (_server, client) = setup().await;
    match client.create_contact(&new_contact("")).await {
        Err(err @ Error::Api { .. }) => {
            assert_eq!(err.status(), Some(422));
            assert_eq!(err.body().map(|p| p.message.as_str()), Some("a contact needs a name"));
        }
        other => panic!("expected a typed 422, got {other:?}"),
    }
}

#[tokio::test]
async fn undeclared_5xx_keeps_status_and_text() {
    let (_server, client) = setup().await;
    match client.crash().await {
        Err(Error::UnexpectedStatus { status, body }) => {
            assert_eq!(status, 500);
            assert_eq!(body, "the database is on fire");
        }
        other => panic!("expected an unexpected-status error, got {other:?}"),
    }
}

#[tokio::test]
async fn slow_answers_time_out() {
    let server = ContactsServer::start().await;
    let runtime = sync_runtime::Client::builder(server.base_url()).timeout(Duration::from_millis(200)).build().unwrap();
    let client = Client::from_runtime(runtime);
    assert_eq!(client.slow(api::SlowParams { millis: 10 }).await.expect("fast enough"), "done");
    match client.slow(api::SlowParams { millis: 3_000 }).await {
        Err(Error::Timeout) => {}
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn default_headers_and_auth_hook_reach_the_server() {
    let server = ContactsServer::start().await;
    let runtime = sync_runtime::Client::builder(server.base_url())
        .bearer_token("secret-token")
        .header("X-App", "tests")
        .auth(|request| {
            request.headers_mut().insert("x-signature", "signed".parse().unwrap());
        })
        .build()
        .unwrap();
    let client = Client::from_runtime(runtime);
    client.list_contacts(ListContactsParams::default()).await.unwrap();
    let seen = server.seen().pop().unwrap();
    assert_eq!(seen.headers.get("authorization").map(String::as_str), Some("Bearer secret-token"));
    assert_eq!(seen.headers.get("x-app").map(String::as_str), Some("tests"));
    assert_eq!(seen.headers.get("x-signature").map(String::as_str), Some("signed"));
    assert_eq!(seen.headers.get("accept").map(String::as_str), Some("application/json"));
}

#[tokio::test]
async fn connection_failures_are_transport_errors() {
    // Bind then drop a listener: nothing listens on that port any more.
    let addr = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
    let client = Client::new(format!("http://{addr}")).unwrap();
    assert!(matches!(client.crash().await, Err(Error::Transport(_))));
}

#[tokio::test]
async fn resource_handle_calls_the_api() {
    let (_server, client) = setup().await;
    let contacts = client.contacts();
    assert_eq!(contacts.mode(), sync_runtime::SyncMode::Push);
    let created = contacts.create(new_contact("Grace")).await.unwrap();
    assert_eq!(contacts.get(created.id.clone()).await.unwrap().name, "Grace");
    let patch = ContactPatch { name: Some("Grace Hopper".into()), ..Default::default() };
    assert_eq!(contacts.update(created.id.clone(), patch).await.unwrap().name, "Grace Hopper");
    assert_eq!(contacts.list().await.unwrap().len(), 1);
    contacts.delete(created.id.clone()).await.unwrap();
    assert!(contacts.list().await.unwrap().is_empty());
    assert!(matches!(contacts.get(created.id).await, Err(Error::Api { status: 404, .. })));
}

#[tokio::test]
async fn watch_refetches_after_own_writes_and_on_the_interval() {
    let server = ContactsServer::start().await;
    let runtime =
        sync_runtime::Client::builder(server.base_url()).watch_interval(Duration::from_millis(300)).build().unwrap();
    let client = Client::from_runtime(runtime);
    let contacts = client.contacts();
    let mut watch = Box::pin(contacts.watch());
    assert_eq!(next(&mut watch).await, vec![]);

    // Our own write: refetched at once, long before the interval would matter.
    contacts.create(new_contact("Ada")).await.unwrap();
    let after_write = next(&mut watch).await;
    assert_eq!(after_write.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["Ada"]);

    // Someone else's write: seen on the next interval.
    server.insert("zz", "Grace");
    let after_interval = next(&mut watch).await;
    assert_eq!(after_interval.len(), 2);
}

async fn next<S: sync_runtime::Stream + Unpin>(stream: &mut S) -> S::Item {
    tokio::time::timeout(Duration::from_secs(5), stream.next())
        .await
        .expect("an item within 5 s")
        .expect("the stream goes on")
}

/// `specs/responses.yaml`: GitHub's and Stripe's habits against the same loopback server.
mod real_world {
    use sync_runtime::Error;
    use sync_runtime::params::{Encoding, Style};
    use sync_tests::server::ContactsServer;

    sync_macros::sync_api!(spec = "specs/responses.yaml", module = api);

    use api::{
        Client, Invitation, Item, ItemState, Job, PostCustomersRequest, PostCustomersRequestItemsItem, Queued,
        ReactionContent, ReactionRollup, StartJobParams, StartJobSuccess,
    };

    async fn setup() -> (ContactsServer, Client) {
        let server = ContactsServer::start().await;
        let client = Client::new(server.base_url()).expect("a valid base URL");
        (server, client)
    }

    #[tokio::test]
    async fn a_204_beside_a_json_201_is_none_not_a_decode_error() {
        let (_server, client) = setup().await;
        let first = client.repos_add_collaborator("octo", "hello", "ada").await.expect("first invite");
        assert_eq!(first, Some(Invitation { id: 1, invitee: "ada".into() }));
        let again = client.repos_add_collaborator_with_response("octo", "hello", "ada").await.expect("second");
        assert_eq!(again.status(), 204);
        assert_eq!(again.into_body(), None);
        match client.repos_add_collaborator("octo", "hello", "blocked").await {
            Err(Error::Api { status: 403, body }) => {
                assert_eq!(body.message.as_deref(), Some("Must have admin rights"))
            }
            other => panic!("expected a typed 403, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn success_statuses_with_different_bodies_are_an_enum() {
        let (_server, client) = setup().await;
        let done = client.start_job(StartJobParams::new(true)).await.unwrap();
        assert_eq!(done, StartJobSuccess::Ok(Job { id: "j1".into(), result: "done".into() }));
        let queued =
            client.start_job(StartJobParams { priority: Some(2), ..StartJobParams::new(false) }).await.unwrap();
        assert_eq!(queued, StartJobSuccess::Accepted(Queued { id: "j1".into(), position: 3 }));
    }

    #[tokio::test]
    async fn a_bodiless_404_is_a_declared_error() {
        let (_server, client) = setup().await;
        match client.get_item("nope").await {
            Err(Error::Status { status: 404, body }) => assert!(body.is_empty()),
            other => panic!("expected the declared 404, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn headers_are_read_from_a_call_and_unknown_enum_values_decode() {
        let (_server, client) = setup().await;
        let response = client.get_item_with_response("1").await.expect("get");
        assert_eq!(response.status(), 200);
        assert_eq!(response.header("etag"), Some("\"v1-abc\""));
        assert_eq!(response.header("X-RateLimit-Remaining"), Some("4999"));
        assert_eq!(response.link("next"), Some("http://example.invalid/items?page=2"));
        // `locked` is not in the spec's enum: kept, not a failure of the whole answer.
        assert_eq!(response.into_body(), Item { id: "1".into(), state: ItemState::Other("locked".into()) });
    }

    #[tokio::test]
    async fn form_bodies_reach_the_server_in_stripe_brackets() {
        let (_server, client) = setup().await;
        let body = PostCustomersRequest {
            name: "Ada & Co".into(),
            email: Some("ada@example.com".into()),
            preferred_locales: Some(vec!["en".into(), "fr".into()]),
            expand: Some(vec!["customer".into(), "invoice.subscription".into()]),
            metadata: Some([("plan".to_owned(), "pro".to_owned()), ("seats".to_owned(), "3".to_owned())].into()),
            items: Some(vec![
                PostCustomersRequestItemsItem { price: "price_1".into(), quantity: Some(2) },
                PostCustomersRequestItemsItem { price: "price_2".into(), quantity: None },
            ]),
        };
        let echo = client.post_customers(&body).await.expect("the server decodes the form");
        assert_eq!(
            echo["decoded"],
            serde_json::json!({
                "name": "Ada & Co",
                "email": "ada@example.com",
                "preferred_locales": ["en", "fr"],
                "expand": ["customer", "invoice.subscription"],
                "metadata": {"plan": "pro", "seats": "3"},
                "items": [{"price": "price_1", "quantity": "2"}, {"price": "price_2"}],
            }),
            "raw body: {}",
            echo["raw"]
        );
        // The spec's `encoding` makes `expand` a `deepObject`: indexed, as Stripe documents it;
        // `preferred_locales` has none, so it repeats its key (OpenAPI's default).
        let raw = echo["raw"].as_str().unwrap();
        assert!(raw.contains("expand%5B0%5D=customer&expand%5B1%5D=invoice.subscription"), "{raw}");
        assert!(raw.contains("preferred_locales=en&preferred_locales=fr"), "{raw}");
    }

    /// The runtime's encoder, given the encoding directly (as generated code passes it).
    #[tokio::test]
    async fn declared_deep_object_arrays_are_indexed() {
        let server = ContactsServer::start().await;
        let runtime = sync_runtime::Client::new(server.base_url()).unwrap();
        let body = serde_json::json!({"expand": ["customer", "invoice.subscription"], "name": "x"});
        let echo: serde_json::Value = runtime
            .request(sync_runtime::Method::POST, "/v1/customers")
            .form_encoded(&body, &[Encoding::new("expand", Style::DeepObject, true)])
            .send_json::<_, serde_json::Value>()
            .await
            .unwrap();
        assert_eq!(echo["decoded"], serde_json::json!({"expand": ["customer", "invoice.subscription"], "name": "x"}));
        assert_eq!(echo["raw"], "expand%5B0%5D=customer&expand%5B1%5D=invoice.subscription&name=x");
    }

    #[tokio::test]
    async fn multipart_files_are_sent_as_bytes_with_name_and_type() {
        #[derive(serde::Serialize)]
        struct Upload {
            title: String,
            file: sync_runtime::File,
        }
        let server = ContactsServer::start().await;
        let runtime = sync_runtime::Client::new(server.base_url()).unwrap();
        // Bytes that are not UTF-8 and hold a line break and what looks like a boundary.
        let bytes: Vec<u8> =
            [&[0x89, b'P', b'N', b'G', 0, 0xff, b'\r', b'\n'][..], b"--sync-runtime-boundary-7f3a9c"].concat();
        let upload = Upload {
            title: "Résumé \"final\"".into(),
            file: sync_runtime::File::new(bytes.clone()).file_name("cv \"v2\".png").content_type("image/png"),
        };
        let parts: serde_json::Value = runtime
            .request(sync_runtime::Method::POST, "/uploads")
            .multipart(&upload)
            .send_json::<_, serde_json::Value>()
            .await
            .unwrap();
        assert_eq!(
            parts,
            serde_json::json!([
                {"name": "file", "filename": "cv %22v2%22.png", "content_type": "image/png", "bytes": bytes},
                {"name": "title", "filename": null, "content_type": null, "bytes": "Résumé \"final\"".as_bytes()},
            ])
        );
    }

    #[test]
    fn signs_in_names_are_spelled_out() {
        let rollup: ReactionRollup =
            serde_json::from_str(r#"{"+1": 3, "-1": 1, "total_count": 4, "top": "+1"}"#).unwrap();
        assert_eq!((rollup.plus_1, rollup.minus_1), (3, 1));
        assert_eq!(rollup.top, Some(ReactionContent::Plus1));
        assert_eq!(serde_json::to_string(&ReactionContent::Minus1).unwrap(), r#""-1""#);
    }
}
