// A real OpenID Connect provider on loopback for the single sign-on tests: the `oidc-provider` package (a certified
// implementation), as a school's Microsoft Entra ID or Google Workspace would be, with the accounts it is given.
//
//   node provider.mjs   with PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS (space-separated) and ACCOUNTS, a JSON
//                       object of login -> {email, email_verified, name}, in the environment.
//
// Its sign-in page is the package's own development page (any password); consent is taken as given, as it is for
// an app the school's administrator has approved for everyone. It prints "listening" once it answers.
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const accounts = JSON.parse(process.env.ACCOUNTS);

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: process.env.CLIENT_ID,
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: process.env.REDIRECT_URIS.split(' '),
    response_types: ['code'],
    grant_types: ['authorization_code'],
  }],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...account }; } };
  },
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['tests-only-cookie-key'] },
});
provider.proxy = false;

const server = provider.listen(port, '127.0.0.1', () => console.log('listening'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
