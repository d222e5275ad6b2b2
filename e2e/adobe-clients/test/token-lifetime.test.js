// `imsbridge emulator --token-lifetime-secs N`: Adobe's Node library reads the shorter
// lifetime from the answer and from the token's own claims, and they agree.
'use strict'

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')

const { Ims, getTokenData } = require('@adobe/aio-lib-ims')
const { startEmulator, admin, seedProject } = require('../lib/emulator')

let emulator
let project

before(async () => {
  emulator = await startEmulator(['--token-lifetime-secs', '90'])
  project = await seedProject(emulator.base)
})

after(async () => {
  if (emulator) await emulator.stop()
})

test('aio-lib-ims sees a 90-second token in expires_in and in the token claims', async () => {
  const cred = await admin(emulator.base, 'POST', `/console/projects/${project.id}/credentials/oauth`, {
    scopes: ['openid']
  })
  const ims = new Ims('prod')
  ims.endpoint = emulator.base
  const before = Date.now()
  const result = await ims.getAccessTokenByClientCredentials(
    cred.client_id, cred.client_secrets[0], cred.org_id, ['openid'])
  assert.equal(result.payload.expires_in, 89)
  const data = getTokenData(result.access_token.token)
  assert.equal(data.expires_in, '90000')
  const expiry = parseInt(data.created_at) + parseInt(data.expires_in)
  assert.ok(expiry >= before + 89 * 1000 && expiry <= Date.now() + 90 * 1000, `expiry ${expiry}`)
  assert.ok(Math.abs(result.access_token.expiry - expiry) < 2000, 'the library agrees with the claims')
})
