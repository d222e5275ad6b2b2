// The cluster leg: three imsbridge replicas on one PostgreSQL database behind HAProxy.
//
//   node cluster.mjs           the checks (run.sh runs it; exits non-zero on a failure)
//   node cluster.mjs --bench   the figures for 1, 2 and 3 replicas (bench.sh runs it)
import assert from 'node:assert/strict'
import {
  Api, DB_NAME, adminToken, emulatorAdmin, freePort, integrationToken, metric, newIntegration,
  percentile, prepareDatabase, psqlAdmin, request, sleep, startEmulator, startHaproxy,
  startReplica, stop, tokenRequest, upstreamCount, waitFor
} from './lib.mjs'

const BENCH = process.argv.includes('--bench')
const TOKEN_LIFETIME_SECS = 20
const STAMPEDE = 1000

let emulator
let replicas = []
let haproxy
let serial = 0
const nextName = (prefix) => `${prefix}-${++serial}-${Date.now() % 100000}`

function log (...args) { console.log('  ', ...args) }

async function startFleet (count) {
  const ports = []
  for (let i = 0; i < count; i++) ports.push(await freePort())
  replicas = await Promise.all(ports.map((port, i) => startReplica(i + 1, port)))
  haproxy = await startHaproxy(ports)
}

async function stopFleet () {
  if (haproxy) await stop(haproxy.child)
  await Promise.all(replicas.map((r) => stop(r.child)))
  haproxy = undefined
  replicas = []
}

/** 1,000 concurrent token requests for a configuration never fetched; upstream requests. */
async function stampede (api, project) {
  const cfg = await newIntegration(api, emulator.base, project, nextName('stampede'))
  const { token } = await integrationToken(api, cfg.name)
  // Every replica has read the API token and configuration before: the stampede is cold
  // only where it matters, at IMS (a warm read cache makes it harder, not easier).
  const before = await upstreamCount(emulator.base, cfg.clientId)
  const answers = await Promise.all(
    Array.from({ length: STAMPEDE }, () => tokenRequest(haproxy.url, cfg.name, token)))
  const failed = answers.filter((a) => a.status !== 200)
  assert.equal(failed.length, 0, `failed stampede requests: ${JSON.stringify(failed.slice(0, 3))}`)
  const distinct = new Set(answers.map((a) => a.body.access_token))
  assert.equal(distinct.size, 1, 'every caller gets the one token fetched')
  return (await upstreamCount(emulator.base, cfg.clientId)) - before
}

/** Polls every replica directly until each answers `isNew`; ms from `since` to the last. */
async function seenEverywhere (since, probe, isNew) {
  const seen = await Promise.all(replicas.map(async (r) => {
    for (;;) {
      const answer = await probe(r.url)
      if (isNew(answer)) return performance.now()
      if (performance.now() - since > 10000) throw new Error(`replica ${r.n} still serves the old state after 10 s`)
    }
  }))
  return Math.max(...seen) - since
}

/** `count` changes (revocations and edits in turn) made through one replica; the delays. */
async function invalidationDelays (api, project, count) {
  const cfg = await newIntegration(api, emulator.base, project, nextName('changes'))
  const { token } = await integrationToken(api, cfg.name)
  const direct = new Api(replicas[0].url, api.token)
  const delays = []
  let revision = cfg.revision
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) {
      // Revocation: every replica has just accepted the token (its read cache holds it).
      const victim = await integrationToken(api, cfg.name)
      for (const r of replicas) assert.equal((await tokenRequest(r.url, cfg.name, victim.token)).status, 200)
      await direct.call('DELETE', `/api/v1/api-tokens/${victim.id}`)
      const since = performance.now()
      delays.push(await seenEverywhere(since,
        (url) => tokenRequest(url, cfg.name, victim.token), (a) => a.status === 401))
    } else {
      // Edit: every replica serves the current revision's token; after the edit none may.
      const old = new Set()
      for (const r of replicas) old.add((await tokenRequest(r.url, cfg.name, token)).body.access_token)
      const res = await direct.call('PATCH', `/api/v1/integrations/${cfg.name}`,
        { title: `Edit ${i}` }, { 'if-match': `"${revision}"` })
      revision = res.body.revision
      const since = performance.now()
      delays.push(await seenEverywhere(since,
        (url) => tokenRequest(url, cfg.name, token),
        (a) => a.status === 200 && !old.has(a.body.access_token)))
    }
  }
  return delays
}

/** Cached-token requests per second through HAProxy, `concurrency` callers for `ms`. */
async function throughput (api, project, concurrency, ms) {
  const cfg = await newIntegration(api, emulator.base, project, nextName('hot'))
  const { token } = await integrationToken(api, cfg.name)
  assert.equal((await tokenRequest(haproxy.url, cfg.name, token)).status, 200)
  let done = 0
  let failed = 0
  const until = performance.now() + ms
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < until) {
      const a = await tokenRequest(haproxy.url, cfg.name, token)
      if (a.status === 200) done++; else failed++
    }
  }))
  assert.equal(failed, 0, 'no cached-token request fails')
  return done / (ms / 1000)
}

/** A steady load through HAProxy until stopped; counts what failed. */
function steadyLoad (name, token, workers = 8) {
  const state = { running: true, ok: 0, failed: [], done: undefined }
  state.done = Promise.all(Array.from({ length: workers }, async () => {
    while (state.running) {
      const a = await tokenRequest(haproxy.url, name, token)
      if (a.status === 200) state.ok++; else state.failed.push(`${a.status} ${JSON.stringify(a.body)}`)
      await sleep(20)
    }
  }))
  return state
}

async function refresherOf () {
  const flags = await Promise.all(replicas.map((r) => metric(r.url, 'imsbridge_fleet_refresher')))
  return replicas.filter((r, i) => flags[i] === 1)
}

async function refreshesBy (r, name) {
  return metric(r.url, 'imsbridge_token_refreshes_total', `config="${name}"`)
}

async function setup () {
  emulator = await startEmulator(TOKEN_LIFETIME_SECS)
  const org = await emulatorAdmin(emulator.base, 'POST', '/console/orgs', { name: 'Cluster E2E' })
  const project = await emulatorAdmin(emulator.base, 'POST', `/console/orgs/${org.id}/projects`, { name: 'cluster' })
  prepareDatabase()
  return project
}

async function checks () {
  const project = await setup()
  await startFleet(3)
  const api = new Api(haproxy.url, await adminToken(haproxy.url))
  await waitFor(async () => (await refresherOf()).length === 1, 10000, 'one refresher to be elected')

  console.log('== 1,000 concurrent cold token requests through HAProxy, 5 runs')
  const upstream = []
  for (let run = 0; run < 5; run++) upstream.push(await stampede(api, project))
  log(`upstream IMS requests per stampede: ${upstream.join(', ')}`)
  assert.deepEqual(upstream, [1, 1, 1, 1, 1])

  console.log('== revocations and edits through replica 1, seen by every replica')
  const delays = await invalidationDelays(api, project, 100)
  log(`invalidation delay over ${delays.length} changes: p50 ${percentile(delays, 50).toFixed(1)} ms, p99 ${percentile(delays, 99).toFixed(1)} ms, max ${Math.max(...delays).toFixed(1)} ms`)

  console.log(`== refresh ahead of expiry by one replica (${TOKEN_LIFETIME_SECS} s tokens), then kill -9 of that replica under load`)
  const cfg = await newIntegration(api, emulator.base, project, nextName('refresh'))
  const { token } = await integrationToken(api, cfg.name)
  const first = await tokenRequest(haproxy.url, cfg.name, token)
  assert.equal(first.status, 200)
  const base = await upstreamCount(emulator.base, cfg.clientId)
  const load = steadyLoad(cfg.name, token)
  // Refresh-ahead starts at about half-life (10 s ± 1 s).
  await waitFor(async () => (await upstreamCount(emulator.base, cfg.clientId)) > base, TOKEN_LIFETIME_SECS * 1000, 'the refresh ahead of expiry')
  await sleep(1000)
  assert.equal(await upstreamCount(emulator.base, cfg.clientId), base + 1, 'one refresh for the whole fleet')
  const [leader] = await refresherOf()
  const refreshed = await Promise.all(replicas.map((r) => refreshesBy(r, cfg.name)))
  log(`refreshes per replica: ${refreshed.join(', ')} (refresher: replica ${leader.n})`)
  assert.deepEqual(refreshed.map((n, i) => n > 0 ? replicas[i].n : 0).filter(Boolean), [leader.n], 'only the refresher refreshed')

  const killedAt = performance.now()
  await stop(leader.child, 'SIGKILL')
  const survivors = replicas.filter((r) => r !== leader)
  replicas = survivors
  await waitFor(async () => (await refresherOf()).length === 1, 10000, 'another refresher after the kill')
  const [next] = await refresherOf()
  log(`replica ${next.n} took over refreshing ${((performance.now() - killedAt) / 1000).toFixed(1)} s after the kill`)
  await waitFor(async () => (await upstreamCount(emulator.base, cfg.clientId)) > base + 1, TOKEN_LIFETIME_SECS * 1000, 'the next refresh, by the new refresher')
  await sleep(1000)
  load.running = false
  await load.done
  assert.equal(await upstreamCount(emulator.base, cfg.clientId), base + 2, 'one refresh for the whole fleet, again')
  assert.ok((await refreshesBy(next, cfg.name)) > 0, 'the new refresher refreshed')
  log(`client requests through HAProxy across the kill: ${load.ok} succeeded, ${load.failed.length} failed`)
  assert.deepEqual(load.failed, [], 'every client request succeeds across the kill')

  console.log('== a replica restarted while its database refuses connections recovers by itself')
  psqlAdmin(`ALTER DATABASE "${DB_NAME}" ALLOW_CONNECTIONS false`)
  psqlAdmin(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '${DB_NAME}'`)
  // Running replicas keep serving the tokens they hold.
  for (const r of survivors) {
    const a = await tokenRequest(r.url, cfg.name, token, true)
    assert.equal(a.status, 200, `replica ${r.n} serves its cached token while the database is closed: ${JSON.stringify(a.body)}`)
  }
  const restarting = startReplica(leader.n, leader.port, { timeoutMs: 60000 })
  await sleep(2000)
  assert.equal((await request(leader.url + '/readyz', { fresh: true })).status, 0, 'the restarted replica waits for its database')
  psqlAdmin(`ALTER DATABASE "${DB_NAME}" ALLOW_CONNECTIONS true`)
  const reopened = performance.now()
  const back = await restarting
  await waitFor(async () => (await request(back.url + '/readyz')).status === 200, 15000, 'the restarted replica to be ready')
  log(`restarted replica ready ${((performance.now() - reopened) / 1000).toFixed(1)} s after the database opened again`)
  replicas = [...survivors, back]
  await waitFor(async () => (await Promise.all(replicas.map((r) => request(r.url + '/readyz'))))
    .every((a) => a.status === 200), 15000, 'every replica to be ready again')
  const after = await tokenRequest(back.url, cfg.name, token)
  assert.equal(after.status, 200)
}

async function bench () {
  const project = await setup()
  const rows = []
  for (const count of [1, 2, 3]) {
    await startFleet(count)
    const api = new Api(haproxy.url, await adminToken(haproxy.url))
    const rps = await throughput(api, project, 32, 5000)
    const upstream = []
    for (let run = 0; run < 5; run++) upstream.push(await stampede(api, project))
    const delays = await invalidationDelays(api, project, 100)
    rows.push({ count, rps, upstream, p99: percentile(delays, 99), p50: percentile(delays, 50) })
    console.log(`replicas ${count}: cached tokens ${rps.toFixed(0)}/s (32 callers through HAProxy), upstream requests per ${STAMPEDE}-request cold stampede ${upstream.join(', ')}, invalidation p50 ${percentile(delays, 50).toFixed(1)} ms p99 ${percentile(delays, 99).toFixed(1)} ms (100 changes)`)
    await stopFleet()
  }
  console.log('\nreplicas | cached tokens/s | upstream per stampede | invalidation p99')
  for (const r of rows) console.log(`${r.count}        | ${r.rps.toFixed(0).padStart(15)} | ${r.upstream.join(', ').padEnd(21)} | ${r.p99.toFixed(1)} ms`)
}

try {
  if (BENCH) await bench(); else await checks()
  console.log(BENCH ? 'cluster bench: done' : 'cluster leg: every check passed')
} catch (e) {
  console.error(e)
  process.exitCode = 1
} finally {
  await stopFleet()
  if (emulator) await stop(emulator.child)
}
