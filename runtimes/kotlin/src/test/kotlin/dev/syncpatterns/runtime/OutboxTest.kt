package dev.syncpatterns.runtime

import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import java.nio.file.Files
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

class OutboxTest {
    private val body = JsonObject(mapOf("name" to JsonPrimitive("Ada")))

    @Test
    fun writesSurviveReopeningInOrderAndPerScope() {
        val file = Files.createTempDirectory("outbox").resolve("nested/sync.db")
        SqliteOutbox(file, "https://a\nuser1").use { outbox ->
            outbox.add("contacts", WriteKind.Create, "k1", body)
            outbox.add("contacts", WriteKind.Delete, "k2", null)
        }
        SqliteOutbox(file, "https://a\nuser2").use { other ->
            assertEquals(emptyList(), other.pending(), "another user's scope sees nothing")
        }
        SqliteOutbox(file, "https://a\nuser1").use { outbox ->
            val pending = outbox.pending()
            assertEquals(listOf("k1", "k2"), pending.map { it.key })
            assertEquals(body, pending[0].body)
            assertEquals(WriteKind.Delete, pending[1].kind)
            assertEquals(2, pending.map { it.idempotencyKey }.toSet().size)
            outbox.reschedule(pending[0].id, 3, 1234)
            outbox.remove(pending[1].id)
        }
        SqliteOutbox(file, "https://a\nuser1").use { outbox ->
            val entry = outbox.pending().single()
            assertEquals(3, entry.attempts)
            assertEquals(1234L, entry.notBefore)
        }
    }

    @Test
    fun theAttemptedMarkIsStoredBeforeAnAnswerAndSurvivesReopening() {
        val file = Files.createTempDirectory("outbox").resolve("sync.db")
        SqliteOutbox(file, "scope").use { outbox ->
            val entry = outbox.add("contacts", WriteKind.Create, "k1", body)
            assertFalse(entry.attempted)
            assertFalse(outbox.pending().single().attempted)
            outbox.markAttempted(entry.id)
        }
        // A process that died after the request left finds the mark, so a `409` to the replay
        // counts as its own earlier delivery (docs/outbox.md §2).
        SqliteOutbox(file, "scope").use { outbox -> assertTrue(outbox.pending().single().attempted) }
    }
}
