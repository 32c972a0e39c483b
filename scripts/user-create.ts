// Creates a console user from the command line, e.g. the first admin:
//   npm run user:create -- --admin --email ann@example.com --name Ann --password 'a long password'
// Without --password an invite link is printed instead. Uses MONGODB_URI, or the embedded FerretDB in DATA_DIR.
import { parseArgs } from "node:util";
import { runCli, withDatabase } from "../server/cli.js";
import { userCreator } from "../server/auth/userCreator.js";
import { audit } from "../server/audit/index.js";
import { AppError } from "../server/errors.js";

const usage = "usage: npm run user:create -- [--admin] --email EMAIL --name NAME [--password PASSWORD]";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      admin: { type: "boolean", default: false },
      email: { type: "string" },
      name: { type: "string" },
      password: { type: "string" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help || !values.email || !values.name) {
    console.error(usage);
    return values.help ? 0 : 2;
  }
  const { email, name, admin, password } = values;
  return withDatabase(async (config) => {
    try {
      const { user, inviteToken } = await userCreator({
        email: email.trim().toLowerCase(),
        name: name.trim(),
        role: admin ? "admin" : "agent",
        password,
      });
      await audit(null, "user.create_cli", { type: "user", id: String(user._id) }, { email: user.email, role: user.role });
      console.log(`Created ${user.role} ${user.email} (${String(user._id)})`);
      if (inviteToken)
        console.log(
          `Invite link (valid 7 days): ${config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`}/console/#/invite/${inviteToken}`,
        );
      return 0;
    } catch (err) {
      if (err instanceof AppError) {
        console.error(err.message);
        return 1;
      }
      throw err;
    }
  });
}

runCli(main);
