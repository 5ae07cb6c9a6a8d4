import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import 'aws-sdk-client-mock-vitest/extend';

// Keep the CDK's caches and synth output inside the checkout (ignored by git).
const cache = join(__dirname, '..', '..', '.cache');
const tmp = join(cache, 'tmp');
mkdirSync(tmp, { recursive: true });
process.env.TMPDIR = tmp;
process.env.CDK_HOME = join(cache, 'cdk-home');
process.env.CDK_DISABLE_VERSION_CHECK = '1';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
