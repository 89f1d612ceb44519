package dev.syncpatterns.runtime

import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonElement
import java.nio.file.Files
import java.nio.file.Path
import java.sql.Connection
import java.sql.DriverManager
import java.util.UUID

/** What a queued write does. */
enum class WriteKind { Create, Update, Delete }

/** A write of a live resource that the API has not confirmed yet. */
data class OutboxEntry(
    /** Increasing: the order writes were made in, and are sent in. */
    val id: Long,
    /** The resource's name (`contacts`). */
    val resource: String,
    val kind: WriteKind,
    /** The item's key; for a create, the key the client chose (or a local placeholder). */
    val key: String,
    /** The request body as JSON, for creates and updates. */
    val body: JsonElement?,
    /** Sent as `Idempotency-Key` on every attempt, so a server can tell a retry from a new write. */
    val idempotencyKey: String,
    /** Failed attempts so far. */
    val attempts: Int,
    /** Epoch milliseconds before which the write is not retried. */
    val notBefore: Long,
    /**
     * A request for it has left at least once, so the API may have it: a `409` to such a
     * create is its own earlier delivery, not a conflict (docs/outbox.md §2).
     */
    val attempted: Boolean = false,
)

/**
 * Where queued writes are kept until the API confirms them. The JVM implementation is
 * [SqliteOutbox]; an Android app plugs in one on `android.database.sqlite` or Room with the
 * same operations. Every call is made from a background dispatcher.
 */
interface OutboxStore : AutoCloseable {
    /** Persists a new write and returns it with its id. */
    fun add(resource: String, kind: WriteKind, key: String, body: JsonElement?): OutboxEntry

    /** The writes not yet confirmed, oldest first. */
    fun pending(): List<OutboxEntry>

    /** Forgets a write: confirmed, or definitely rejected. */
    fun remove(id: Long)

    /** Records a failed attempt: the write stays queued and is not retried before [notBefore]. */
    fun reschedule(id: Long, attempts: Int, notBefore: Long)

    /** Records, before a request for it leaves, that the write may reach the API. */
    fun markAttempted(id: Long)

    /** Forgets every write of this scope (sign-out). */
    fun clear()
}

/**
 * An [OutboxStore] in a SQLite file (org.xerial:sqlite-jdbc). Writes are kept per [scope] (the
 * API's base URL and the signed-in user), so two accounts or two servers sharing a file never
 * see each other's writes.
 */
class SqliteOutbox(path: Path, private val scope: String, private val json: Json = SyncJson) : OutboxStore {
    private val connection: Connection

    init {
        path.toAbsolutePath().parent?.let { Files.createDirectories(it) }
        connection = DriverManager.getConnection("jdbc:sqlite:${path.toAbsolutePath()}")
        connection.createStatement().use { statement ->
            statement.execute("PRAGMA busy_timeout = 5000")
            statement.execute(
                """
                CREATE TABLE IF NOT EXISTS sync_outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    scope TEXT NOT NULL,
                    resource TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    item_key TEXT NOT NULL,
                    body TEXT,
                    idempotency_key TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    not_before INTEGER NOT NULL DEFAULT 0,
                    attempted INTEGER NOT NULL DEFAULT 0
                )
                """.trimIndent(),
            )
            // A file made before `attempted` existed gets the column (its writes count as not
            // yet attempted, which is what they were known to be).
            val columns = statement.executeQuery("PRAGMA table_info(sync_outbox)").use { rows ->
                buildList { while (rows.next()) add(rows.getString("name")) }
            }
            if ("attempted" !in columns) {
                statement.execute("ALTER TABLE sync_outbox ADD COLUMN attempted INTEGER NOT NULL DEFAULT 0")
            }
            statement.execute("CREATE INDEX IF NOT EXISTS sync_outbox_scope ON sync_outbox (scope, id)")
        }
    }

    @Synchronized
    override fun add(resource: String, kind: WriteKind, key: String, body: JsonElement?): OutboxEntry {
        val idempotencyKey = UUID.randomUUID().toString()
        val sql = "INSERT INTO sync_outbox (scope, resource, kind, item_key, body, idempotency_key) " +
            "VALUES (?, ?, ?, ?, ?, ?)"
        val id = connection.prepareStatement(sql).use { insert ->
            insert.setString(1, scope)
            insert.setString(2, resource)
            insert.setString(3, kind.name)
            insert.setString(4, key)
            insert.setString(5, body?.let { json.encodeToString(JsonElement.serializer(), it) })
            insert.setString(6, idempotencyKey)
            insert.executeUpdate()
            connection.createStatement().use { query ->
                query.executeQuery("SELECT last_insert_rowid()").use { rows ->
                    rows.next()
                    rows.getLong(1)
                }
            }
        }
        return OutboxEntry(id, resource, kind, key, body, idempotencyKey, 0, 0)
    }

    @Synchronized
    override fun pending(): List<OutboxEntry> {
        val sql = "SELECT id, resource, kind, item_key, body, idempotency_key, attempts, not_before, attempted " +
            "FROM sync_outbox WHERE scope = ? ORDER BY id"
        return connection.prepareStatement(sql).use { query ->
            query.setString(1, scope)
            query.executeQuery().use { rows ->
                buildList {
                    while (rows.next()) {
                        add(
                            OutboxEntry(
                                id = rows.getLong(1),
                                resource = rows.getString(2),
                                kind = WriteKind.valueOf(rows.getString(3)),
                                key = rows.getString(4),
                                body = rows.getString(5)?.let { json.parseToJsonElement(it) },
                                idempotencyKey = rows.getString(6),
                                attempts = rows.getInt(7),
                                notBefore = rows.getLong(8),
                                attempted = rows.getInt(9) != 0,
                            ),
                        )
                    }
                }
            }
        }
    }

    @Synchronized
    override fun remove(id: Long) {
        connection.prepareStatement("DELETE FROM sync_outbox WHERE id = ? AND scope = ?").use { delete ->
            delete.setLong(1, id)
            delete.setString(2, scope)
            delete.executeUpdate()
        }
    }

    @Synchronized
    override fun reschedule(id: Long, attempts: Int, notBefore: Long) {
        val sql = "UPDATE sync_outbox SET attempts = ?, not_before = ? WHERE id = ? AND scope = ?"
        connection.prepareStatement(sql).use { update ->
            update.setInt(1, attempts)
            update.setLong(2, notBefore)
            update.setLong(3, id)
            update.setString(4, scope)
            update.executeUpdate()
        }
    }

    @Synchronized
    override fun markAttempted(id: Long) {
        connection.prepareStatement("UPDATE sync_outbox SET attempted = 1 WHERE id = ? AND scope = ?").use { update ->
            update.setLong(1, id)
            update.setString(2, scope)
            update.executeUpdate()
        }
    }

    @Synchronized
    override fun clear() {
        connection.prepareStatement("DELETE FROM sync_outbox WHERE scope = ?").use { delete ->
            delete.setString(1, scope)
            delete.executeUpdate()
        }
    }

    @Synchronized
    override fun close() {
        connection.close()
    }
}
