package dev.syncpatterns.runtime

import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.MutableSharedFlow
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.SharedFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asSharedFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import kotlinx.coroutines.withTimeoutOrNull
import kotlinx.serialization.KSerializer
import kotlinx.serialization.SerializationException
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import io.ktor.http.Headers
import java.nio.file.Path
import java.util.UUID
import java.util.concurrent.ConcurrentHashMap
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/** How live resources keep their data. */
class LiveConfig(
    /** The SQLite file the outbox lives in; its folder is created if needed. */
    val databasePath: Path = Path.of("sync-patterns.db"),
    /**
     * Who is signed in (a user id): queued writes are kept per base URL and user scope, so
     * another account on the same device never sends them.
     */
    val userScope: String = "",
    /**
     * The Electric Shape endpoint for resources whose rows stream from one; `<baseUrl>/v1/shape`
     * when left out.
     */
    val shapeUrl: String? = null,
    /** How often resources synced through their REST list refetch it. */
    val pollInterval: Duration = 10.seconds,
    /** How long a live shape request may wait for changes. */
    val liveRequestTimeout: Duration = 60.seconds,
    /** Retry timing for queued writes and the shape stream. */
    val backoff: Backoff = Backoff(),
    /** Another outbox store (e.g. Room on Android); [SqliteOutbox] at [databasePath] otherwise. */
    val outbox: ((scope: String) -> OutboxStore)? = null,
)

/**
 * A queued write the API definitely refused: it was dropped and its optimistic change undone.
 * [causedBy] is set for a write dropped unsent because an earlier write to the same row was
 * rejected (then [error] is that write's error).
 */
class WriteRejected(
    val resource: String,
    val entry: OutboxEntry,
    val error: Exception,
    val causedBy: OutboxEntry? = null,
)

/** Where a live resource's rows come from. */
sealed interface RowSource {
    /** An Electric Shape endpoint. */
    class Shape(val definition: ShapeDefinition) : RowSource

    /** The REST list endpoint, refetched after each confirmed write and every poll interval. */
    class Rest(val fetch: suspend () -> List<JsonElement>) : RowSource
}

/** The header in which an Electric-backed API returns a write's transaction id. */
const val TXID_HEADER: String = "x-electric-txid"

/** Sends one queued write through the generated operation; returns its reply as JSON. */
typealias WriteSender = suspend (entry: OutboxEntry, options: RequestOptions) -> JsonElement

/**
 * Whether an answer means the API will never accept the write: a 4xx other than 408 (timeout),
 * 425 (too early) and 429 (too many requests). Everything else is retried.
 */
fun isDefiniteRejection(status: Int): Boolean = status in 400..499 && status !in setOf(408, 425, 429)

/**
 * The live side of a client: the outbox shared by its live resources and the coroutine that
 * drains it. Writes are sent one at a time in the order they were made; a write that cannot be
 * delivered (no network, 5xx, 408, 425, 429) stays queued and holds back the ones after it,
 * retried with [Backoff] and the server's `Retry-After`; a definite rejection drops it and rolls
 * back its optimistic change.
 */
class LiveSync(private val transport: HttpTransport, val config: LiveConfig) : AutoCloseable {
    /** What queued writes are kept under: a format version, the base URL and the user scope. */
    val scope: String = "v1\n" + transport.config.baseUrl.trimEnd('/') + "\n" + config.userScope
    internal val json: Json = transport.config.json
    private val outbox: OutboxStore = config.outbox?.invoke(scope) ?: SqliteOutbox(config.databasePath, scope)
    private val job = SupervisorJob()
    private val coroutines = CoroutineScope(job + Dispatchers.IO)
    private val collections = ConcurrentHashMap<String, LiveCollection<*>>()
    private val waiters = ConcurrentHashMap<Long, CompletableDeferred<JsonElement>>()
    private val wake = Channel<Unit>(Channel.CONFLATED)
    private val lock = Any()
    private val rejected = MutableSharedFlow<WriteRejected>(extraBufferCapacity = 64)
    private var started = false

    /**
     * Writes the API refused, including those queued by an earlier run of the app, which no
     * caller waits for any more.
     */
    val rejections: SharedFlow<WriteRejected> = rejected.asSharedFlow()

    /** Registers a live resource; call [start] once all are registered. */
    fun <T> collection(
        name: String,
        keyField: String,
        serializer: KSerializer<T>,
        source: RowSource,
        send: WriteSender,
        newKey: (() -> JsonPrimitive)? = null,
    ): LiveCollection<T> {
        val collection = LiveCollection(name, keyField, serializer, this, source, send, newKey)
        collections[name] = collection
        return collection
    }

    /** Re-applies writes left from an earlier run, then starts syncing and sending. */
    fun start() {
        synchronized(lock) {
            if (started) return
            started = true
            for (entry in outbox.pending()) collections[entry.resource]?.applyWrite(entry)
        }
        for (collection in collections.values) collection.startSync(coroutines, transport)
        coroutines.launch { drain() }
    }

    /**
     * Deletes every queued write of this base URL and user scope, sent or not, and undoes their
     * local changes: for sign-out.
     */
    suspend fun clearUserScope() {
        val cleared = withContext(Dispatchers.IO) {
            synchronized(lock) {
                outbox.pending().also { outbox.clear() }
            }
        }
        for (entry in cleared) {
            val error = CancellationException("the user scope was cleared")
            collections[entry.resource]?.rollback(entry, error)
            waiters.remove(entry.id)?.completeExceptionally(error)
        }
    }

    /** Retries queued writes now instead of waiting out their backoff (e.g. when back online). */
    fun retryNow() {
        coroutines.launch {
            synchronized(lock) {
                for (entry in outbox.pending()) outbox.reschedule(entry.id, entry.attempts, 0)
            }
            wake.trySend(Unit)
        }
    }

    /** Queues a write, shows it at once, and waits for the API's answer. */
    internal suspend fun enqueue(
        collection: LiveCollection<*>,
        kind: WriteKind,
        key: String,
        body: JsonElement?,
    ): JsonElement {
        val waiter = CompletableDeferred<JsonElement>()
        withContext(Dispatchers.IO) {
            synchronized(lock) {
                // Persisted before it is shown or sent, so no write is lost to a crash.
                val entry = outbox.add(collection.name, kind, key, body)
                waiters[entry.id] = waiter
                collection.applyWrite(entry)
            }
        }
        wake.trySend(Unit)
        return waiter.await()
    }

    private suspend fun drain() {
        while (true) {
            val entry = synchronized(lock) { outbox.pending().firstOrNull { collections.containsKey(it.resource) } }
            if (entry == null) {
                wake.receive()
                continue
            }
            val wait = entry.notBefore - System.currentTimeMillis()
            if (wait > 0) {
                withTimeoutOrNull(wait) { wake.receive() }
                continue
            }
            attempt(collections.getValue(entry.resource), entry)
        }
    }

    private suspend fun attempt(collection: LiveCollection<*>, entry: OutboxEntry) {
        var txid: Long? = null
        val options = RequestOptions(
            headers = mapOf("Idempotency-Key" to entry.idempotencyKey),
            onResponse = { response -> txid = response.headers[TXID_HEADER]?.substringBefore(',')?.trim()?.toLongOrNull() },
        )
        if (!entry.attempted) synchronized(lock) { outbox.markAttempted(entry.id) }
        try {
            val reply = collection.send(entry, options)
            synchronized(lock) { outbox.remove(entry.id) }
            collection.confirm(entry, reply, txid)
            waiters.remove(entry.id)?.complete(reply)
        } catch (e: CancellationException) {
            throw e
        } catch (e: ApiException) {
            if (e.status == 409 && entry.kind == WriteKind.Create && entry.attempted) {
                // An earlier attempt reached the API (docs/outbox.md §2): delivered, reply
                // unknown; the sync source brings the row.
                synchronized(lock) { outbox.remove(entry.id) }
                collection.confirm(entry, JsonNull, txid)
                waiters.remove(entry.id)?.complete(JsonNull)
            } else if (isDefiniteRejection(e.status)) {
                reject(collection, entry, e)
            } else {
                retryLater(collection, entry, e, retryAfter(e.headers["Retry-After"]))
            }
        } catch (e: SerializationException) {
            // The stored body no longer fits the request type, or the reply did not decode:
            // sending again cannot help.
            reject(collection, entry, e)
        } catch (e: Exception) {
            retryLater(collection, entry, e, null)
        }
    }

    /**
     * Drops a rejected write and, unsent, the later writes to the same row (an update of a
     * rejected create cannot succeed either); all are rolled back with the same error.
     */
    private fun reject(collection: LiveCollection<*>, entry: OutboxEntry, error: Exception) {
        val dependents = synchronized(lock) {
            outbox.remove(entry.id)
            outbox.pending().filter { it.resource == entry.resource && it.key == entry.key && it.id > entry.id }
                .onEach { outbox.remove(it.id) }
        }
        for (dropped in listOf(entry) + dependents) {
            collection.rollback(dropped, error)
            val causedBy = if (dropped === entry) null else entry
            rejected.tryEmit(WriteRejected(dropped.resource, dropped, error, causedBy))
            waiters.remove(dropped.id)?.completeExceptionally(error)
        }
    }

    private fun retryLater(collection: LiveCollection<*>, entry: OutboxEntry, error: Exception, retryAfter: Long?) {
        val notBefore = System.currentTimeMillis() + config.backoff.delayFor(entry.attempts, retryAfter)
        synchronized(lock) { outbox.reschedule(entry.id, entry.attempts + 1, notBefore) }
        collection.deliveryFailed(error)
    }

    override fun close() {
        coroutines.cancel()
        for (waiter in waiters.values) waiter.cancel()
        synchronized(lock) { outbox.close() }
    }
}

/**
 * The rows of one live resource: the rows the server last sent, with the queued writes applied
 * over them in order. A write shows in [rows] as soon as it is queued; it is undone if the API
 * rejects it, and replaced by the server's row once confirmed.
 */
class LiveCollection<T> internal constructor(
    val name: String,
    private val keyField: String,
    private val serializer: KSerializer<T>,
    private val sync: LiveSync,
    private val source: RowSource,
    internal val send: WriteSender,
    private val newKey: (() -> JsonPrimitive)?,
) {
    private val lock = Any()
    private val synced = LinkedHashMap<String, JsonObject>()
    private val shapeKeys = HashMap<String, String>()
    private val writes = mutableListOf<Applied>()

    /**
     * A write applied over the server rows: queued, or confirmed and kept applied until the sync
     * source shows it (its txid in a shape change, or a REST refetch begun after it), so a row
     * never flickers back to its old value (docs/live-mode.md §5).
     */
    private class Applied(val entry: OutboxEntry) {
        var confirmed = false
        var reply: JsonObject? = null
        var txid: Long? = null
    }
    private var view: Map<String, T> = emptyMap()
    private val rowsState = MutableStateFlow<List<T>>(emptyList())
    private val statusState = MutableStateFlow(SyncStatus(SyncPhase.Loading))
    private val refresh = Channel<Unit>(Channel.CONFLATED)

    /** The rows as the user should see them, updated on every change. */
    val rows: StateFlow<List<T>> = rowsState.asStateFlow()

    val status: StateFlow<SyncStatus> = statusState.asStateFlow()

    /** The rows once the first sync has finished (or failed: then the rows known so far). */
    suspend fun list(): List<T> {
        statusState.first { it.phase != SyncPhase.Loading }
        return rowsState.value
    }

    /** The row with [key], if there is one locally. */
    fun row(key: String): T? = synchronized(lock) { view[key] }

    /**
     * The row with [key], once the first sync has finished; a key the collection does not hold
     * is the API's not-found, as in push mode (an `ApiException` with status 404).
     */
    suspend fun get(key: String, path: String): T {
        statusState.first { it.phase != SyncPhase.Loading }
        return row(key) ?: throw ApiException("GET", path, 404, Headers.Empty, "", null)
    }

    /**
     * Creates a row. Its key is the body's, else one made here when the resource lets clients
     * choose keys, else a local placeholder until the server's row arrives.
     */
    suspend fun create(body: JsonElement): JsonElement {
        var obj = body as? JsonObject
        var key = obj?.get(keyField)?.let(::keyText)
        val make = newKey
        if (key == null && obj != null && make != null) {
            val made = make()
            obj = JsonObject(obj + (keyField to made))
            key = made.content
        }
        return sync.enqueue(this, WriteKind.Create, key ?: "local:${UUID.randomUUID()}", obj ?: body)
    }

    suspend fun update(key: String, body: JsonElement): JsonElement = sync.enqueue(this, WriteKind.Update, key, body)

    suspend fun delete(key: String): JsonElement = sync.enqueue(this, WriteKind.Delete, key, null)

    internal fun applyWrite(entry: OutboxEntry) = synchronized(lock) {
        writes += Applied(entry)
        publish()
    }

    internal fun confirm(entry: OutboxEntry, reply: JsonElement, txid: Long?) {
        synchronized(lock) {
            val applied = writes.firstOrNull { it.entry.id == entry.id }
            val row = reply as? JsonObject
            val key = row?.get(keyField)?.let(::keyText)
            when (entry.kind) {
                WriteKind.Create, WriteKind.Update -> if (row != null && key != null) synced[key] = row
                WriteKind.Delete -> synced.remove(entry.key)
            }
            if (applied != null && (source is RowSource.Rest || txid != null)) {
                applied.confirmed = true
                applied.reply = row?.takeIf { key != null }
                applied.txid = txid
            } else {
                writes.remove(applied)
            }
            publish()
        }
        if (source is RowSource.Rest) refresh.trySend(Unit)
    }

    internal fun rollback(entry: OutboxEntry, error: Exception) {
        synchronized(lock) {
            writes.removeAll { it.entry.id == entry.id }
            statusState.update { it.copy(lastError = error) }
            publish()
        }
        if (source is RowSource.Rest) refresh.trySend(Unit)
    }

    internal fun deliveryFailed(error: Exception) {
        setPhase(SyncPhase.Offline, error)
    }

    internal fun startSync(scope: CoroutineScope, transport: HttpTransport) {
        scope.launch {
            when (source) {
                is RowSource.Shape -> {
                    val url = sync.config.shapeUrl ?: (transport.config.baseUrl.trimEnd('/') + "/v1/shape")
                    val stream = ShapeStream(
                        transport,
                        url,
                        source.definition,
                        sync.config.liveRequestTimeout,
                        // The stream retries sooner than writes: from 100 ms (docs/live-mode.md §7).
                        Backoff(initial = 100.milliseconds, max = sync.config.backoff.max),
                    )
                    stream.run(::applyBatch) { phase, error -> setPhase(phase, error) }
                }
                is RowSource.Rest -> pollRest(source)
            }
        }
    }

    private suspend fun pollRest(source: RowSource.Rest) {
        while (true) {
            try {
                // Writes confirmed before this fetch began are in its answer.
                val settled = synchronized(lock) { writes.filter { it.confirmed } }
                val rows = source.fetch()
                synchronized(lock) {
                    writes.removeAll { it in settled }
                    synced.clear()
                    for (row in rows) {
                        val obj = row as? JsonObject ?: continue
                        obj[keyField]?.let(::keyText)?.let { synced[it] = obj }
                    }
                    publish()
                }
                setPhase(SyncPhase.Ready, null)
            } catch (e: CancellationException) {
                throw e
            } catch (e: Exception) {
                setPhase(SyncPhase.Offline, e)
            }
            withTimeoutOrNull(sync.config.pollInterval) { refresh.receive() }
        }
    }

    private fun applyBatch(batch: ShapeBatch) = synchronized(lock) {
        if (batch.reset) {
            synced.clear()
            shapeKeys.clear()
            // A fresh snapshot holds every write confirmed before it.
            writes.removeAll { it.confirmed }
        }
        val seen = batch.changes.flatMapTo(HashSet()) { it.txids }
        writes.removeAll { it.confirmed && it.txid in seen }
        for (change in batch.changes) {
            val key = shapeKeys[change.key] ?: change.value[keyField]?.let(::keyText) ?: continue
            when (change.operation) {
                ShapeOperation.Insert -> {
                    shapeKeys[change.key] = key
                    synced[key] = change.value
                }
                ShapeOperation.Update -> synced[key] = JsonObject((synced[key] ?: JsonObject(emptyMap())) + change.value)
                ShapeOperation.Delete -> {
                    shapeKeys.remove(change.key)
                    synced.remove(key)
                }
            }
        }
        publish()
    }

    private fun setPhase(phase: SyncPhase, error: Throwable?) {
        statusState.update { it.copy(phase = phase, lastError = error, online = error == null || error is ApiException) }
    }

    /** Recomputes [rows] from the synced rows and the queued writes. Called holding [lock]. */
    private fun publish() {
        val merged = LinkedHashMap(synced)
        for (applied in writes) {
            val write = applied.entry
            val body = write.body as? JsonObject
            val reply = applied.reply
            if (applied.confirmed) {
                when {
                    write.kind == WriteKind.Delete -> merged.remove(write.key)
                    reply != null -> reply[keyField]?.let(::keyText)?.let { merged[it] = reply }
                }
                continue
            }
            when (write.kind) {
                WriteKind.Create -> if (body != null) merged[write.key] = body
                WriteKind.Update -> {
                    val row = merged[write.key]
                    if (row != null && body != null) merged[write.key] = JsonObject(row + body)
                }
                WriteKind.Delete -> merged.remove(write.key)
            }
        }
        val decoded = LinkedHashMap<String, T>(merged.size)
        for ((key, row) in merged) {
            // A new row lacking fields only the server fills in shows once the server's arrives.
            try {
                decoded[key] = sync.json.decodeFromJsonElement(serializer, row)
            } catch (_: SerializationException) {
            } catch (_: IllegalArgumentException) {
            }
        }
        view = decoded
        // The count first: whoever sees the new rows must also see the writes behind them.
        statusState.update { status -> status.copy(pendingWrites = writes.count { !it.confirmed }) }
        rowsState.value = decoded.values.toList()
    }
}

/** A key's text: a string's content, a number's digits. */
internal fun keyText(value: JsonElement): String? = when (value) {
    JsonNull -> null
    is JsonPrimitive -> value.content
    else -> value.toString()
}
