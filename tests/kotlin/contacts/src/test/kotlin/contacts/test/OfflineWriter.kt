package contacts.test

import contacts.client.Api
import contacts.client.NewContact
import contacts.client.runtime.ClientConfig
import contacts.client.runtime.LiveConfig
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import java.nio.file.Path

/**
 * Run in its own JVM by `LiveTest`: with the server down, creates a contact (which can only
 * be queued), prints its id once the outbox holds it, and halts without closing anything, as
 * a killed app would.
 */
fun main(args: Array<String>) {
    val (baseUrl, database, name) = args
    val api = Api(ClientConfig(baseUrl = baseUrl), LiveConfig(databasePath = Path.of(database)))
    runBlocking {
        launch { api.contacts.create(NewContact(name = name, email = "offline@example.com")) }
        val row = withTimeout(30_000) { api.contacts.watch().first { rows -> rows.any { it.name == name } } }
        withTimeout(30_000) { api.contacts.status.first { it.pendingWrites == 1 } }
        println("queued ${row.single().id}")
        System.out.flush()
        Runtime.getRuntime().halt(0)
    }
}
