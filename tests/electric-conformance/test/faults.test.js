// Faults: restarts, a wiped database, and a burst of concurrent writes, seen through the
// official Electric client.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  startServer, stopServer, restartServer, killServer, api, createContact, openShape, waitFor, sortedRows, restRows,
} from './harness.js'

/** Every change message must be unique (a change delivered twice would repeat its lsn). */
function assertNoDuplicates(changes) {
  const seen = new Set()
  for (const message of changes) {
    const id = `${message.headers.lsn}:${message.key}`
    assert.ok(!seen.has(id), `duplicate change ${id}`)
    seen.add(id)
  }
}

test('clients resume across a server crash with no lost or duplicated change', async () => {
  const server = await startServer()
  const { shape, changes, messages, close } = openShape(server)
  try {
    await createContact(server, { name: 'Before', email: 'before@example.com' })
    await waitFor('first insert', () => shape.currentRows.length === 1)

    await killServer(server)
    // The client is now retrying against a dead port; bring the server back on the same
    // database and write while the client reconnects.
    await restartServer(server)
    const written = []
    for (let i = 0; i < 20; i++) {
      written.push((await createContact(server, { name: `After ${i}`, email: `after${i}@example.com` })).body.id)
    }
    await api(server, 'PATCH', `/contacts/${written[0]}`, { name: 'After 0 renamed' })
    await api(server, 'DELETE', `/contacts/${written[1]}`)

    await waitFor('all changes', async () => JSON.stringify(sortedRows(shape)) === JSON.stringify(await restRows(server)))
    assertNoDuplicates(changes())
    assert.equal(changes().length, 1 + 20 + 2)
    assert.ok(!messages.some((m) => m.headers.control === 'must-refetch'), 'same database: no refetch')
  } finally {
    close()
    await stopServer(server)
  }
})

test('a wiped database makes live clients refetch (409) and converge on the new data', async () => {
  const server = await startServer()
  const { shape, messages, close } = openShape(server)
  try {
    await createContact(server, { name: 'Old', email: 'old@example.com' })
    await waitFor('old row', () => shape.currentRows.length === 1)

    await restartServer(server, { reset: true })
    const fresh = await createContact(server, { name: 'New', email: 'new@example.com' })

    await waitFor('refetched rows', () => shape.currentRows.length === 1 && shape.currentRows[0].id === fresh.body.id)
    assert.ok(messages.some((m) => m.headers.control === 'must-refetch'))
    assert.deepEqual(sortedRows(shape), await restRows(server))
  } finally {
    close()
    await stopServer(server)
  }
})

test('1,000 concurrent writes each arrive exactly once, in log order', async () => {
  const server = await startServer()
  const { shape, changes, close } = openShape(server)
  try {
    await shape.rows
    const writes = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => createContact(server, { name: `Burst ${i}`, email: `burst${i}@example.com` })),
    )
    await waitFor('1000 inserts', () => shape.currentRows.length === 1000, 60000)

    const inserts = changes().filter((m) => m.headers.operation === 'insert')
    assert.equal(inserts.length, 1000)
    assertNoDuplicates(inserts)
    assert.deepEqual(new Set(inserts.map((m) => m.value.id)), new Set(writes.map((w) => w.body.id)))
    // Writers do not wait for each other, so transaction ids (taken when a transaction starts)
    // need not ascend; each change must carry the id its writer was given, and log positions
    // ascend. (sync-server/tests/writers.rs checks that one row's changes keep commit order.)
    const byId = new Map(writes.map((w) => [w.body.id, w.txid]))
    for (const message of inserts) assert.equal(message.headers.txids[0], byId.get(message.value.id))
    const lsns = inserts.map((m) => Number(m.headers.lsn))
    assert.deepEqual(lsns, [...lsns].sort((a, b) => a - b))
  } finally {
    close()
    await stopServer(server)
  }
})
