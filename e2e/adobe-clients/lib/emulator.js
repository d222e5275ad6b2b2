// Starts the imsbridge emulator binary on a free loopback port and talks to its admin API.
'use strict'

const { spawn } = require('node:child_process')
const path = require('node:path')
const readline = require('node:readline')

const REPO = path.resolve(__dirname, '..', '..', '..')
const BIN = process.env.IMSBRIDGE_BIN || path.join(REPO, 'target', 'debug', 'imsbridge')
const READY = /^imsbridge emulator listening on (http:\/\/\S+)$/

/**
 * Spawns `imsbridge emulator --listen 127.0.0.1:0 [...extraArgs]` and resolves once it prints
 * its URL.
 */
function startEmulator (extraArgs = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ['emulator', '--listen', '127.0.0.1:0', ...extraArgs], {
      stdio: ['ignore', 'pipe', 'inherit']
    })
    const timer = setTimeout(() => {
      child.kill('SIGTERM')
      reject(new Error(`${BIN} did not report its address within 30 s`))
    }, 30000)
    child.once('error', (err) => {
      clearTimeout(timer)
      reject(new Error(`cannot start ${BIN} (set IMSBRIDGE_BIN?): ${err.message}`))
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${BIN} exited with ${code} before it was ready`))
    })
    const lines = readline.createInterface({ input: child.stdout })
    lines.on('line', (line) => {
      const match = READY.exec(line.trim())
      if (!match) return
      clearTimeout(timer)
      child.removeAllListeners('exit')
      resolve({
        base: match[1],
        stop: () => new Promise((resolve) => {
          child.once('exit', resolve)
          child.kill('SIGTERM')
        })
      })
    })
  })
}

/** Calls the emulator's JSON admin API and returns the parsed answer. */
async function admin (base, method, route, body) {
  const res = await fetch(base + route, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text}`)
  return text ? JSON.parse(text) : undefined
}

/** Seeds an org and a project, returning the project. */
async function seedProject (base) {
  const org = await admin(base, 'POST', '/console/orgs', { name: 'Node E2E Org' })
  return admin(base, 'POST', `/console/orgs/${encodeURIComponent(org.id)}/projects`, { name: 'node-e2e' })
}

module.exports = { startEmulator, admin, seedProject }
