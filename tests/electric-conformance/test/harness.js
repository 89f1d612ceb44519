// Starts the contacts reference server and talks to it: the REST API through fetch, shapes
// through the official Electric client. Every test starts what it needs.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { randomUUID } from 'node:crypto'
import { ShapeStream, Shape } from '@electric-sql/client'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const binary = process.env.CONTACTS_SERVER_BIN ?? join(repo, 'target', 'debug', 'contacts-server')

/** Short long polls keep idle live requests (and test teardown) quick. */
const LONG_POLL_MS = 1000

/**
 * A contacts server on a fresh database: a temp SQLite file, or the Postgres database in
 * DATABASE_URL wiped with --reset.
 */
export async function startServer({ args = [], token } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'contacts-conformance-'))
  const databaseUrl = process.env.DATABASE_URL || `sqlite:${join(dir, 'contacts.db')}`
  const server = { dir, databaseUrl, port: 0, process: null, url: null, args, token }
  await launch(server, { reset: true })
  return server
}

async function launch(server, { reset }) {
  const args = [
    '--port', String(server.port), '--database-url', server.databaseUrl, '--long-poll-ms', String(LONG_POLL_MS),
    ...server.args,
  ]
  if (reset) args.push('--reset')
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  server.process = child
  server.url = await new Promise((resolve, reject) => {
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
      const match = output.match(/listening on (http:\/\/\S+)/)
      if (match) resolve(match[1])
    })
    child.on('exit', (code) => reject(new Error(`contacts-server exited with ${code} before listening: ${output}`)))
  })
  server.port = Number(new URL(server.url).port)
}

/** Kills the server process (no graceful shutdown: a crash is the harder case). */
export async function killServer(server) {
  const child = server.process
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGKILL')
  await exited
}

/** Starts the server again on the same port and database; `reset` wipes the database. */
export async function restartServer(server, { reset = false } = {}) {
  await killServer(server)
  await launch(server, { reset })
}

export async function stopServer(server) {
  await killServer(server)
  rmSync(server.dir, { recursive: true, force: true })
}

export async function api(server, method, path, body, { token = server.token } = {}) {
  const headers = body === undefined ? {} : { 'content-type': 'application/json' }
  if (token) headers.authorization = `Bearer ${token}`
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await response.text()
  return {
    status: response.status,
    txid: response.headers.has('x-electric-txid') ? Number(response.headers.get('x-electric-txid')) : undefined,
    body: text ? JSON.parse(text) : undefined,
  }
}

export async function createContact(server, fields, options) {
  const response = await api(server, 'POST', '/contacts', fields, options)
  if (response.status !== 201) throw new Error(`create failed: ${response.status} ${JSON.stringify(response.body)}`)
  return response
}

/**
 * An official ShapeStream on `contacts` that records every message it delivers. Each stream
 * gets its own `session` param (ignored by the server) so the client's per-shape caches
 * (replay detection, expired handles) never leak between tests.
 */
export function openStream(server, { where, params, offset, handle, columns, replica, token = server.token } = {}) {
  const controller = new AbortController()
  const messages = []
  const errors = []
  const stream = new ShapeStream({
    url: `${server.url}/v1/shape`,
    params: { table: 'contacts', session: randomUUID(), where, params, columns, replica },
    offset,
    handle,
    signal: controller.signal,
    headers: token ? { authorization: `Bearer ${token}` } : undefined,
    backoffOptions: { initialDelay: 50, maxDelay: 500, multiplier: 2 },
    onError: (error) => {
      errors.push(error)
    },
  })
  stream.subscribe((batch) => messages.push(...batch), (error) => errors.push(error))
  return {
    stream,
    messages,
    errors,
    changes: () => messages.filter((m) => 'key' in m),
    close: () => {
      stream.unsubscribeAll()
      controller.abort()
    },
  }
}

export function openShape(server, options) {
  const recorded = openStream(server, options)
  return { ...recorded, shape: new Shape(recorded.stream) }
}

export async function waitFor(what, condition, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await condition()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** The shape's rows as plain objects sorted by id, for comparing with the REST API. */
export function sortedRows(shape) {
  return [...shape.currentRows].map((row) => ({ ...row })).sort((a, b) => a.id.localeCompare(b.id))
}

export async function restRows(server, options) {
  const { body } = await api(server, 'GET', '/contacts', undefined, options)
  return body.sort((a, b) => a.id.localeCompare(b.id))
}
