package dev.syncpatterns.runtime

import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.filterNotNull
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.flow.update
import kotlin.random.Random
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/** Where a resource's rows stand (docs/live-mode.md §2). */
enum class SyncPhase {
    /** No rows yet: the first load has not finished. */
    Loading,

    /** The rows are the server's (plus the writes still on their way); reads answer locally. */
    Ready,

    /** The last attempt to reach the sync source or the API failed ([SyncStatus.lastError]). */
    Offline,
}

/** A resource's sync status, the same type in push and live mode. */
data class SyncStatus(
    val phase: SyncPhase,
    /** Writes applied locally but not yet confirmed by the API (always 0 in push mode). */
    val pendingWrites: Int = 0,
    /** The last sync or write error, cleared by the next success. */
    val lastError: Throwable? = null,
    /** Whether the last request reached the server. */
    val online: Boolean = true,
)

/**
 * How long to wait before retrying attempt `n` (from 0): `min(max, initial × 2^min(n, 6))`,
 * jittered uniformly into its upper half so devices do not retry in step (docs/outbox.md §4).
 * A server's `Retry-After` is a floor.
 */
class Backoff(val initial: Duration = 500.milliseconds, val max: Duration = 30.seconds) {
    fun delayFor(attempt: Int, retryAfterMillis: Long?): Long {
        val base = (initial.inWholeMilliseconds shl attempt.coerceIn(0, 6)).coerceAtMost(max.inWholeMilliseconds)
        val jittered = if (base <= 1) base else Random.nextLong(base / 2, base + 1)
        return maxOf(jittered, retryAfterMillis ?: 0)
    }
}

/**
 * The rows of a push resource for `watch()`: fetched when first watched and again after every
 * write made through the resource, so push and live resources can be watched the same way.
 */
class PushRows<T>(private val fetch: suspend () -> List<T>) {
    private val state = MutableStateFlow(SyncStatus(SyncPhase.Loading))
    private val generation = MutableStateFlow(0)

    val status: StateFlow<SyncStatus> = state.asStateFlow()

    /** Fetches the rows now. */
    suspend fun list(): List<T> = try {
        fetch().also { state.value = SyncStatus(SyncPhase.Ready) }
    } catch (e: ApiException) {
        state.value = SyncStatus(SyncPhase.Offline, lastError = e, online = true)
        throw e
    } catch (e: java.io.IOException) {
        state.value = SyncStatus(SyncPhase.Offline, lastError = e, online = false)
        throw e
    }

    /**
     * The rows, refetched after each write. A failed fetch does not end the flow: the status
     * says why, and the next write fetches again.
     */
    fun watch(): Flow<List<T>> = flow {
        generation.collect {
            val rows = try {
                list()
            } catch (_: ApiException) {
                null
            } catch (_: java.io.IOException) {
                null
            }
            emit(rows)
        }
    }.filterNotNull()

    /** Marks the rows stale after a write, so watchers fetch them again. */
    fun invalidate() {
        generation.update { it + 1 }
    }
}
