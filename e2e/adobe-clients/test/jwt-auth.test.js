// @adobe/jwt-auth against the emulator: its `ims` option is the base URL, which it also
// writes into the JWT's aud and metascope claims.
'use strict'

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const auth = require('@adobe/jwt-auth')
const { startEmulator, admin, seedProject } = require('../lib/emulator')

let emulator
let cred

before(async () => {
  emulator = await startEmulator()
  const project = await seedProject(emulator.base)
  cred = await admin(emulator.base, 'POST', `/console/projects/${project.id}/credentials/jwt`, {
    metascopes: ['ent_marketing_sdk', 'ent_aem_cloud_api']
  })
})

after(async () => {
  if (emulator) await emulator.stop()
})

function options (overrides = {}) {
  return {
    clientId: cred.client_id,
    clientSecret: cred.client_secret,
    technicalAccountId: cred.technical_account_id,
    orgId: cred.org_id,
    privateKey: cred.private_key_pem,
    metaScopes: ['ent_marketing_sdk'],
    ims: emulator.base,
    ...overrides
  }
}

test('jwt-auth exchanges a signed JWT for a token with expires_in in milliseconds', async () => {
  const answer = await auth(options())
  assert.equal(answer.token_type, 'bearer')
  assert.equal(answer.expires_in, 86399999)
  const payload = JSON.parse(Buffer.from(answer.access_token.split('.')[1], 'base64url'))
  assert.equal(payload.client_id, cred.client_id)

  const validation = await fetch(`${emulator.base}/ims/validate_token/v1`, {
    method: 'POST',
    body: new URLSearchParams({ type: 'access_token', client_id: cred.client_id, token: answer.access_token })
  }).then((r) => r.json())
  assert.equal(validation.valid, true)
})

test('jwt-auth reports IMS\'s error code for a metascope the credential lacks', async () => {
  await assert.rejects(auth(options({ metaScopes: ['ent_user_sdk'] })), (err) => {
    assert.equal(err.code, 'invalid_scope')
    return true
  })
})

test('jwt-auth reports invalid_client for a wrong client secret', async () => {
  await assert.rejects(auth(options({ clientSecret: 'wrong' })), (err) => {
    assert.equal(err.code, 'invalid_client')
    return true
  })
})
