// @adobe/aio-lib-ims against the emulator: OAuth Server-to-Server and JWT contexts through
// getToken, and the Ims class for client credentials, validation, organisations and
// invalidation. The only change from production use is the IMS base URL (see README).
'use strict'

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')

// aio-lib-ims keeps contexts in the aio config file: give it a throw-away home first.
const configHome = fs.mkdtempSync(path.join(os.tmpdir(), 'imsbridge-aio-'))
process.env.XDG_CONFIG_HOME = configHome
process.env.AIO_CONFIG_FILE = path.join(configHome, 'aio')

const { Ims, context, getToken, getTokenData } = require('@adobe/aio-lib-ims')
const { startEmulator, admin, seedProject } = require('../lib/emulator')

let emulator
let project
const originalGetApiUrl = Ims.prototype.getApiUrl

before(async () => {
  emulator = await startEmulator()
  project = await seedProject(emulator.base)
  // getToken() builds its own `new Ims(env)` from a fixed prod/stage host table, and every
  // IMS URL (including the JWT's aud and metascope claims) goes through getApiUrl; this
  // is the one seam for the base URL.
  Ims.prototype.getApiUrl = function (api) { return emulator.base + api }
})

after(async () => {
  Ims.prototype.getApiUrl = originalGetApiUrl
  if (emulator) await emulator.stop()
  fs.rmSync(configHome, { recursive: true, force: true })
})

function imsAtEmulator () {
  const ims = new Ims('prod')
  ims.endpoint = emulator.base
  return ims
}

test('an oauth_server_to_server context gets a token via getToken', async () => {
  const cred = await admin(emulator.base, 'POST', `/console/projects/${project.id}/credentials/oauth`, {
    scopes: ['openid', 'AdobeID', 'read_organizations']
  })
  await context.set('s2s', {
    client_id: cred.client_id,
    client_secrets: cred.client_secrets,
    technical_account_email: cred.technical_account_email,
    technical_account_id: cred.technical_account_id,
    ims_org_id: cred.org_id,
    scopes: cred.scopes
  })
  const token = await getToken('s2s')
  const data = getTokenData(token)
  assert.equal(data.type, 'access_token')
  assert.equal(data.client_id, cred.client_id)
  assert.equal(data.user_id, cred.technical_account_id)
  assert.equal(data.scope, 'openid,AdobeID,read_organizations')
  // The library computes expiry from created_at + expires_in (ms): a day ahead.
  const expiry = parseInt(data.created_at) + parseInt(data.expires_in)
  assert.ok(expiry > Date.now() + 23 * 3600 * 1000)

  const counters = await admin(emulator.base, 'GET', '/console/admin/counters')
  assert.equal(counters.token_requests[cred.client_id], 1)
  assert.equal(counters.total_requests.token_v2, 1)
})

test('a jwt context is exchanged for a token via getToken', async () => {
  const cred = await admin(emulator.base, 'POST', `/console/projects/${project.id}/credentials/jwt`, {
    metascopes: ['ent_aem_cloud_api']
  })
  await context.set('jwt', {
    client_id: cred.client_id,
    client_secret: cred.client_secret,
    technical_account_id: cred.technical_account_id,
    ims_org_id: cred.org_id,
    meta_scopes: cred.metascopes,
    private_key: cred.private_key_pem
  })
  const token = await getToken('jwt')
  const data = getTokenData(token)
  assert.equal(data.client_id, cred.client_id)
  assert.equal(data.user_id, cred.technical_account_id)
  assert.equal(data.as, 'ims-na1')
})

test('client credentials, validation, organizations and invalidation through the Ims class', async () => {
  const cred = await admin(emulator.base, 'POST', `/console/projects/${project.id}/credentials/oauth`, {
    scopes: ['openid', 'AdobeID', 'read_organizations']
  })
  const ims = imsAtEmulator()
  const result = await ims.getAccessTokenByClientCredentials(
    cred.client_id, cred.client_secrets[0], cred.org_id, ['openid', 'read_organizations'])
  const token = result.access_token.token
  assert.equal(result.payload.token_type, 'bearer')
  assert.equal(result.payload.expires_in, 86399)
  assert.ok(result.access_token.expiry > Date.now())

  const validation = await ims.validateToken(token)
  assert.equal(validation.valid, true)

  const orgs = await ims.getOrganizations(token)
  assert.equal(orgs[0].orgRef.ident + '@' + orgs[0].orgRef.authSrc, cred.org_id)

  await ims.invalidateToken(token, cred.client_id, cred.client_secrets[0])
  const after = await ims.validateToken(token)
  assert.equal(after.valid, false)
})

test('a wrong client secret surfaces IMS\'s invalid_client error', async () => {
  const cred = await admin(emulator.base, 'POST', `/console/projects/${project.id}/credentials/oauth`, {
    scopes: ['openid']
  })
  const ims = imsAtEmulator()
  await assert.rejects(
    ims.getAccessTokenByClientCredentials(cred.client_id, 'p8e-wrong', cred.org_id, ['openid']),
    /401.*invalid_client/
  )
})
