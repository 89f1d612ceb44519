// Protocol conformance: the official Electric client (@electric-sql/client, pinned) syncing the
// contacts reference server.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import {
  startServer, stopServer, api, createContact, openShape, openStream, waitFor, sortedRows, restRows,
} from './harness.js'

let server
before(async () => {
  server = await startServer()
})
after(async () => {
  await stopServer(server)
})

test('initial snapshot matches the database, typed by electric-schema', async () => {
  await createContact(server, { name: 'Ada', email: 'ada@example.com', phone: '+44 1' })
  await createContact(server, { name: 'Bob', email: 'bob@example.org' })
  const { shape, stream, close } = openShape(server)
  try {
    const rows = await shape.rows
    assert.equal(rows.length, 2)
    assert.deepEqual(sortedRows(shape), await restRows(server))
    assert.equal(rows.find((r) => r.name === 'Bob').phone, null)
    assert.match(stream.shapeHandle, /\S/)
    assert.match(stream.lastOffset, /^\d+_\d+$/)
  } finally {
    close()
  }
})

test('live inserts, updates and deletes arrive with the writer\'s txid', async () => {
  const { shape, changes, close } = openShape(server)
  try {
    await shape.rows
    const id = randomUUID()
    const created = await createContact(server, { id, name: 'Cleo', email: 'cleo@example.com' })
    await waitFor('insert', () => shape.currentRows.some((r) => r.id === id))
    const updated = await api(server, 'PATCH', `/contacts/${id}`, { email: 'cleo@example.net' })
    assert.equal(updated.status, 200)
    await waitFor('update', () => shape.currentRows.find((r) => r.id === id)?.email === 'cleo@example.net')
    const deleted = await api(server, 'DELETE', `/contacts/${id}`)
    assert.equal(deleted.status, 204)
    await waitFor('delete', () => !shape.currentRows.some((r) => r.id === id))

    const mine = changes().filter((m) => m.key.endsWith(`"${id}"`))
    assert.deepEqual(mine.map((m) => m.headers.operation), ['insert', 'update', 'delete'])
    assert.deepEqual(mine.map((m) => m.headers.txids), [[created.txid], [updated.txid], [deleted.txid]])
    // Default replica: an update carries the key and the changed columns only.
    assert.deepEqual(mine[1].value, { id, email: 'cleo@example.net' })
    assert.deepEqual(sortedRows(shape), await restRows(server))
  } finally {
    close()
  }
})

test('a new stream resumes from an offset and handle without refetching', async () => {
  const first = openShape(server)
  await first.shape.rows
  const { shapeHandle: handle, lastOffset: offset } = first.stream
  first.close()

  const a = await createContact(server, { name: 'Dan', email: 'dan@example.com' })
  const b = await createContact(server, { name: 'Eve', email: 'eve@example.com' })

  const resumed = openStream(server, { offset, handle })
  try {
    await waitFor('both changes', () => resumed.changes().length >= 2)
    await waitFor('up-to-date', () => resumed.stream.isUpToDate)
    const keys = resumed.changes().map((m) => m.key)
    assert.deepEqual(keys, [`"main"."contacts"/"${a.body.id}"`, `"main"."contacts"/"${b.body.id}"`].map(forDatabase))
    assert.equal(resumed.stream.shapeHandle, handle)
    assert.ok(!resumed.messages.some((m) => m.headers.control === 'must-refetch'))
  } finally {
    resumed.close()
  }
})

test('an unknown handle gets 409 must-refetch and the client refetches the shape', async () => {
  const { shape, stream, messages, close } = openShape(server, { offset: '0_0', handle: 'stale-handle' })
  try {
    const rows = await shape.rows
    assert.ok(messages.some((m) => m.headers.control === 'must-refetch'))
    assert.notEqual(stream.shapeHandle, 'stale-handle')
    assert.deepEqual(sortedRows(shape), await restRows(server))
    assert.ok(rows.length > 0)
  } finally {
    close()
  }
})

test('where with params filters the snapshot and live changes move rows in and out', async () => {
  const tag = randomUUID().slice(0, 8)
  const inside = await createContact(server, { name: `In ${tag}`, email: `in-${tag}@example.com` })
  await createContact(server, { name: `Out ${tag}`, email: `out-${tag}@example.com` })
  const { shape, changes, close } = openShape(server, {
    where: 'email IN ($1, $2) AND name = $3',
    params: [`in-${tag}@example.com`, `moved-${tag}@example.com`, `In ${tag}`],
  })
  try {
    const rows = await shape.rows
    assert.deepEqual(rows.map((r) => r.id), [inside.body.id])

    const mover = await createContact(server, { name: `In ${tag}`, email: `elsewhere-${tag}@example.com` })
    await api(server, 'PATCH', `/contacts/${mover.body.id}`, { email: `moved-${tag}@example.com` })
    await waitFor('move in', () => shape.currentRows.some((r) => r.id === mover.body.id))
    await api(server, 'PATCH', `/contacts/${inside.body.id}`, { name: 'Renamed' })
    await waitFor('move out', () => !shape.currentRows.some((r) => r.id === inside.body.id))

    const operations = changes().slice(1).map((m) => `${m.headers.operation}:${m.key.split('/')[1]}`)
    assert.deepEqual(operations, [`insert:"${mover.body.id}"`, `delete:"${inside.body.id}"`])
  } finally {
    close()
  }
})

test('column selection and replica=full shape the values', async () => {
  const created = await createContact(server, { name: 'Fay', email: 'fay@example.com', phone: '1' })
  const { shape, changes, close } = openShape(server, { columns: ['id', 'email'], replica: 'full' })
  try {
    const rows = await shape.rows
    assert.deepEqual(Object.keys(rows[0]).sort(), ['email', 'id'])
    await api(server, 'PATCH', `/contacts/${created.body.id}`, { email: 'fay@example.org', phone: '2' })
    const update = await waitFor('update', () => changes().find((m) => m.headers.operation === 'update'))
    assert.deepEqual(update.value, { id: created.body.id, email: 'fay@example.org' })
    assert.deepEqual(update.old_value, { email: 'fay@example.com' })
  } finally {
    close()
  }
})

test('bad requests are 400s with a message, surfaced to the client', async () => {
  const shapeUrl = `${server.url}/v1/shape`
  const cases = [
    [{ table: 'contacts', offset: '-1', where: "name = 'x' OR 1 = 1" }, 'where'],
    [{ table: 'contacts', offset: '-1', where: 'secret = $1', 'params[1]': 'x' }, 'where'],
    [{ table: 'pg_user', offset: '-1' }, 'table'],
    [{ table: 'contacts', offset: '-1', columns: 'name' }, 'columns'],
    [{ table: 'contacts', offset: '5_0' }, 'handle'],
    [{ table: 'contacts', offset: 'abc' }, 'offset'],
  ]
  for (const [query, field] of cases) {
    const response = await fetch(`${shapeUrl}?${new URLSearchParams(query)}`)
    assert.equal(response.status, 400, JSON.stringify(query))
    const body = await response.json()
    assert.equal(body.message, 'Invalid request')
    assert.ok(body.errors[field]?.[0], `${JSON.stringify(query)} -> ${JSON.stringify(body)}`)
  }

  const { errors, close } = openStream(server, { where: 'name LIKE $1', params: ['%'] })
  try {
    const error = await waitFor('client error', () => errors[0])
    assert.equal(error.status, 400)
  } finally {
    close()
  }
})

test('the REST API rejects bad bodies with 422 field errors', async () => {
  const bad = await api(server, 'POST', '/contacts', { name: 42, email: 'nope' })
  assert.equal(bad.status, 422)
  assert.deepEqual(bad.body.errors.map((e) => e.field), ['name', 'email'])
  assert.equal((await api(server, 'POST', '/contacts', '{not json')).status, 422)
  assert.equal((await api(server, 'PATCH', `/contacts/${randomUUID()}`, { name: 'x' })).status, 404)
  const analytics = await api(server, 'GET', '/analytics')
  assert.equal(analytics.status, 200)
  assert.equal(analytics.body.total_contacts, (await restRows(server)).length)
})

/** Keys name the relation's namespace: `main` on SQLite, the schema on Postgres. */
function forDatabase(key) {
  return process.env.DATABASE_URL ? key.replace('"main"', '"public"') : key
}
