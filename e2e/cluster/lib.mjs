// Processes and HTTP for the cluster leg: the emulator, imsbridge replicas on one PostgreSQL
// database and HAProxy in front of them, all on loopback ports chosen free. Every process
// started is written to $CLUSTER_PIDS so that run.sh can stop it whatever happens here.
import { spawn, execFileSync } from 'node:child_process'
import { appendFileSync, writeFileSync, mkdirSync } from 'node:fs'
import http from 'node:http'
import { createServer } from 'node:net'
import { createInterface } from 'node:readline'
import path from 'node:path'

const BIN = process.env.IMSBRIDGE_BIN
const WORK = process.env.CLUSTER_WORK
const PIDS = process.env.CLUSTER_PIDS
export const DB_URL = process.env.CLUSTER_DB_URL
export const DB_NAME = process.env.CLUSTER_DB_NAME
export const ADMIN_URL = process.env.CLUSTER_ADMIN_URL
export const ADMIN_PASSWORD = 'cluster-e2e-admin-password'

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity })

/** One HTTP request; resolves to { status, body (parsed JSON when it is), ms }. */
export function request (url, { method = 'GET', headers = {}, body, fresh = false } = {}) {
  return new Promise((resolve) => {
    const started = performance.now()
    const data = body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body))
    const req = http.request(url, {
      method,
      // A fresh connection where a kept-alive one may have been closed by the server.
      agent: fresh ? false : agent,
      headers: {
        ...(data !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}),
        ...headers
      }
    }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString()
        let parsed = text
        try { parsed = text ? JSON.parse(text) : undefined } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, body: parsed, ms: performance.now() - started })
      })
      res.on('error', (e) => resolve({ status: 0, body: String(e), ms: performance.now() - started }))
    })
    req.on('error', (e) => resolve({ status: 0, body: String(e), ms: performance.now() - started }))
    if (data !== undefined) req.write(data)
    req.end()
  })
}

/** A free loopback port (asked of the kernel, then released for the caller to bind). */
export function freePort () {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function record (child) {
  if (PIDS) appendFileSync(PIDS, `${child.pid}\n`)
}

/** Spawns `args` and resolves once a stdout line matches `ready`, with the match. */
function startProcess (args, ready, { env = {}, log, timeoutMs = 60000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(args[0], args.slice(1), {
      stdio: ['ignore', 'pipe', log ? 'pipe' : 'inherit'],
      env: { ...process.env, ...env }
    })
    record(child)
    if (log) child.stderr.on('data', (d) => appendFileSync(log, d))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${args.join(' ')} was not ready within ${timeoutMs} ms`))
    }, timeoutMs)
    const onExit = (code) => {
      clearTimeout(timer)
      reject(new Error(`${args.join(' ')} exited with ${code} before it was ready`))
    }
    child.once('exit', onExit)
    const lines = createInterface({ input: child.stdout })
    lines.on('line', (line) => {
      if (log) appendFileSync(log, line + '\n')
      const match = ready.exec(line.trim())
      if (!match) return
      clearTimeout(timer)
      child.removeListener('exit', onExit)
      resolve({ child, match })
    })
  })
}

/** Stops a child (SIGTERM, then SIGKILL after 5 s) and waits for it. */
export function stop (child, signal = 'SIGTERM') {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill(signal)
    if (signal !== 'SIGKILL') setTimeout(() => child.kill('SIGKILL'), 5000).unref()
  })
}

export async function startEmulator (lifetimeSecs) {
  const { child, match } = await startProcess(
    [BIN, 'emulator', '--listen', '127.0.0.1:0', '--token-lifetime-secs', String(lifetimeSecs)],
    /^imsbridge emulator listening on (http:\/\/\S+)$/,
    { log: path.join(WORK, 'emulator.log') })
  return { child, base: match[1] }
}

/** The environment every replica shares: one database, one data directory (key file). */
function replicaEnv () {
  return {
    IMSBRIDGE_DATABASE_URL: DB_URL,
    IMSBRIDGE_LOG_LEVEL: 'warn,imsbridge_server::fleet=info,imsbridge_store=info',
    IMSBRIDGE_SERVER__BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
    IMSBRIDGE_SERVER__METRICS_PUBLIC: 'true',
    IMSBRIDGE_SERVER__READ_CACHE_TTL_MS: '1000',
    // Short-lived emulator tokens: refresh-ahead starts at about half-life, and no later
    // than 5 s before expiry.
    IMSBRIDGE_IMS__REFRESH_FLOOR_SECS: '5',
    IMSBRIDGE_IMS__MIN_VALIDITY_SECS: '2',
    IMSBRIDGE_IMS__REFRESH_RATIO: '0.5'
  }
}

/** Starts replica `n` on `port`; resolves when it listens (it may wait for its database). */
export async function startReplica (n, port, { timeoutMs = 60000 } = {}) {
  const dir = path.join(WORK, 'data')
  mkdirSync(dir, { recursive: true })
  const { child } = await startProcess(
    [BIN, '--data-dir', dir, 'serve', '--listen', `127.0.0.1:${port}`],
    /^imsbridge listening on (http:\/\/\S+)$/,
    { env: replicaEnv(), log: path.join(WORK, `replica-${n}.log`), timeoutMs })
  return { n, port, child, url: `http://127.0.0.1:${port}` }
}

/** Makes the schema and the key file once, so replicas starting together do not race. */
export function prepareDatabase () {
  const dir = path.join(WORK, 'data')
  mkdirSync(dir, { recursive: true })
  execFileSync(BIN, ['--data-dir', dir, 'db', 'migrate'], {
    env: { ...process.env, ...replicaEnv() },
    stdio: ['ignore', 'ignore', 'inherit']
  })
}

/** The HAProxy configuration the README shows, for these replica ports. */
export function haproxyConfig (port, replicaPorts) {
  const servers = replicaPorts
    .map((p, i) => `    server replica${i + 1} 127.0.0.1:${p} check`)
    .join('\n')
  return `global
    maxconn 4096

defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout http-keep-alive 10s

frontend imsbridge
    bind 127.0.0.1:${port}
    default_backend replicas

backend replicas
    balance roundrobin
    # Ready replicas only: /readyz answers 503 while a replica cannot reach PostgreSQL.
    option httpchk GET /readyz
    http-check expect status 200
    # Generous: a replica answering a burst of 1,000 requests is slow, not gone.
    timeout check 5s
    default-server inter 1s fall 3 rise 2
    # A token POST is safe to repeat: retry it on another replica when the connection fails
    # or the replica closes it without an answer (killed mid-request).
    retries 3
    retry-on conn-failure empty-response
    option redispatch 1
${servers}
`
}

export async function startHaproxy (replicaPorts) {
  const port = await freePort()
  const file = path.join(WORK, 'haproxy.cfg')
  writeFileSync(file, haproxyConfig(port, replicaPorts))
  execFileSync('haproxy', ['-c', '-q', '-f', file], { stdio: 'inherit' })
  const child = spawn('haproxy', ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] })
  record(child)
  child.stderr.on('data', (d) => appendFileSync(path.join(WORK, 'haproxy.log'), d))
  const url = `http://127.0.0.1:${port}`
  await waitFor(async () => (await request(url + '/readyz')).status === 200, 20000, 'HAProxy to see a ready replica')
  return { child, url, port }
}

/** Polls `check` every 50 ms until it is true; throws after `timeoutMs`. */
export async function waitFor (check, timeoutMs, what) {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (await check()) return
    await sleep(50)
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}

/** Runs SQL on the server's maintenance database (never the leg's own). */
export function psqlAdmin (sql) {
  return execFileSync('psql', [ADMIN_URL, '-qAtc', sql], { encoding: 'utf8' }).trim()
}

// --- the emulator and the admin API --------------------------------------------------

export async function emulatorAdmin (base, method, route, body) {
  const res = await request(base + route, { method, body })
  if (res.status >= 300) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

/** Upstream token requests the emulator counted for `clientId`. */
export async function upstreamCount (emulator, clientId) {
  const counters = await emulatorAdmin(emulator, 'GET', '/console/admin/counters')
  return counters.token_requests[clientId] || 0
}

/** Logs in as the bootstrap admin and makes an admin API token. */
export async function adminToken (base) {
  const login = await request(base + '/api/v1/session', {
    method: 'POST',
    body: { username: 'admin', password: ADMIN_PASSWORD }
  })
  if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`)
  const cookie = [].concat(login.headers['set-cookie'] || []).map((c) => c.split(';')[0]).join('; ')
  const made = await request(base + '/api/v1/api-tokens', {
    method: 'POST',
    headers: { cookie, 'x-csrf-token': login.body.csrf_token },
    body: { name: 'cluster-e2e', scope: 'admin', expires_in_days: 1 }
  })
  if (made.status !== 201 && made.status !== 200) throw new Error(`api token: ${made.status} ${JSON.stringify(made.body)}`)
  return made.body.token
}

export class Api {
  constructor (base, token) { this.base = base; this.token = token }
  async call (method, route, body, headers = {}) {
    const res = await request(this.base + route, {
      method, body, headers: { authorization: `Bearer ${this.token}`, ...headers }
    })
    if (res.status >= 300) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(res.body)}`)
    return res
  }
}

/** A new OAuth credential in the emulator and a configuration for it. */
export async function newIntegration (api, emulator, project, name) {
  const cred = await emulatorAdmin(emulator, 'POST', `/console/projects/${project.id}/credentials/oauth`, { scopes: ['openid'] })
  const res = await api.call('POST', '/api/v1/integrations', {
    name,
    title: `Cluster ${name}`,
    cloud_solution: 'target',
    authorization_server: emulator,
    client_id: cred.client_id,
    client_secret: cred.client_secrets[0],
    scopes: ['openid'],
    org_id: cred.org_id
  })
  return { name, clientId: cred.client_id, revision: res.body.revision }
}

/** An API token for the token route of one integration. */
export async function integrationToken (api, name) {
  const res = await api.call('POST', '/api/v1/api-tokens', { name: `t-${name}`.slice(0, 60), scope: `token:${name}`, expires_in_days: 1 })
  return { token: res.body.token, id: res.body.id }
}

export function tokenRequest (base, name, token, fresh = false) {
  return request(`${base}/api/v1/integrations/${name}/token`, {
    method: 'POST', headers: { authorization: `Bearer ${token}` }, fresh
  })
}

/** A metric's value (summed over the series that match `labels`) from /metrics. */
export async function metric (base, name, labels = '') {
  const res = await request(base + '/metrics')
  if (res.status !== 200) return undefined
  let sum = 0
  let seen = false
  for (const line of String(res.body).split('\n')) {
    if (!line.startsWith(name)) continue
    const rest = line.slice(name.length)
    if (!(rest.startsWith(' ') || rest.startsWith('{'))) continue
    if (labels && !rest.includes(labels)) continue
    sum += Number(line.split(' ').pop())
    seen = true
  }
  return seen ? sum : 0
}

export function percentile (values, p) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}
