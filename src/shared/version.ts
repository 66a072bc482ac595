// The gmsup version, read once from package.json (its one source), and the version string the embedded
// job server reports: gearmand's protocol level plus gmsup's own, semver build-metadata style.
import { createRequire } from 'node:module';

// src/shared and dist/shared both sit two levels below the package root.
const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };

export const VERSION: string = pkg.version;

/** The gearmand release whose wire behaviour the embedded server follows. */
export const GEARMAND_COMPAT_VERSION = '1.1.20';

/** What `version` answers on the admin port: `1.1.20+gmsup.<version>`. */
export const SERVER_VERSION = `${GEARMAND_COMPAT_VERSION}+gmsup.${VERSION}`;
