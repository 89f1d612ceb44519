// The official client against the server's production guards: snapshots served in chunks,
// shapes scoped to the bearer token's owner.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { startServer, stopServer, createContact, openShape, waitFor, sortedRows, restRows, api } from './harness.js'

const servers = []
after(async () => {
  for (const server of servers) await stopServer(server)
})

test('a snapshot in several chunks syncs every row, then goes live', async () => {
  const server = await startServer({ args: ['--snapshot-chunk-rows', '7'] })
  servers.push(server)
  for (let i = 0; i < 30; i++) {
    await createContact(server, { name: `Person ${String(i).padStart(2, '0')}`, email: `p${i}@example.com` })
  }
  const first = await fetch(`${server.url}/v1/shape?table=contacts&offset=-1`)
  const [, chunk] = first.headers.get('electric-offset').split('_')
  assert.ok(BigInt(chunk) >= 2n ** 32n, 'the first response names the next chunk')
  const { shape, stream, close } = openShape(server)
  try {
    const rows = await shape.rows
    assert.equal(rows.length, 30)
    assert.deepEqual(sortedRows(shape), await restRows(server))
    assert.match(stream.lastOffset, /^\d+_\d+$/)
    const id = randomUUID()
    await createContact(server, { id, name: 'Late', email: 'late@example.com' })
    await waitFor('live insert after a chunked snapshot', () => shape.currentRows.some((r) => r.id === id))
    assert.deepEqual(sortedRows(shape), await restRows(server))
  } finally {
    close()
  }
})

test('a bearer token scopes the shape to its owner', async () => {
  const server = await startServer({ args: ['--token', 't-ann=ann', '--token', 't-bob=bob'], token: 't-ann' })
  servers.push(server)
  await createContact(server, { name: 'Ann one', email: 'a1@ann.test' })
  await createContact(server, { name: 'Bob one', email: 'b1@bob.test' }, { token: 't-bob' })
  const ann = openShape(server)
  const bob = openShape(server, { token: 't-bob' })
  try {
    await ann.shape.rows
    await bob.shape.rows
    assert.deepEqual(sortedRows(ann.shape).map((r) => r.name), ['Ann one'])
    assert.deepEqual(sortedRows(bob.shape).map((r) => r.name), ['Bob one'])
    assert.deepEqual(Object.keys(sortedRows(ann.shape)[0]).sort(), ['email', 'id', 'name', 'phone'])
    const id = randomUUID()
    await createContact(server, { id, name: 'Bob two', email: 'b2@bob.test' }, { token: 't-bob' })
    await createContact(server, { name: 'Ann two', email: 'a2@ann.test' })
    await waitFor('ann sees her own insert', () => ann.shape.currentRows.length === 2)
    await waitFor('bob sees his own insert', () => bob.shape.currentRows.some((r) => r.id === id))
    assert.ok(!ann.shape.currentRows.some((r) => r.id === id), 'ann never sees bob\'s rows')
    assert.deepEqual(sortedRows(ann.shape), await restRows(server))
    const patched = await api(server, 'PATCH', `/contacts/${id}`, { name: 'stolen' })
    assert.equal(patched.status, 404)

    const anonymous = openShape(server, { token: null })
    try {
      await waitFor('the client reports the 401', () => anonymous.errors.length > 0)
      assert.equal(anonymous.errors[0].status, 401)
    } finally {
      anonymous.close()
    }
  } finally {
    ann.close()
    bob.close()
  }
})
