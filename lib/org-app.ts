/**
 * The app's organization settings (`orgMode`, `orgTargets`, `orgId`, `orgCallAs`) and the stacks
 * each mode deploys. `lib/app.ts` reads them with the rest of the context.
 */

import type { App, Stack } from 'aws-cdk-lib';
import { ContextError } from './app-context';
import { GuardForwarderStack } from './forwarder-stack';
import { CentralGuardStack } from './org-central';
import { StackSetGuardsStack } from './org-guards';
import { ORG_ID, OrgAssetsStack, type StackSetCaller } from './org-stackset';
import type { LaunchLoopGuardProps } from './props';

/** The two organization shapes. `central` is the default (see the README, "Organizations"). */
export const ORG_MODE = { central: 'central', stackset: 'stackset' } as const;
export type OrgMode = (typeof ORG_MODE)[keyof typeof ORG_MODE];

/** What the app needs to guard an organization. */
export interface OrgAppConfig {
  readonly mode: OrgMode;
  readonly organizationId: string;
  /** OU or root ids. */
  readonly targets: string[];
  readonly callAs: StackSetCaller;
  /**
   * Principals of the central account (role or user ARNs) that may assume the operator role in
   * every member account (`orgOperatorPrincipals`); central mode only.
   */
  readonly operatorPrincipals?: string[];
}

type Get = (key: string) => unknown;
type Read = {
  text: (get: Get, key: string) => string | undefined;
  list: (get: Get, key: string) => string[];
};

/**
 * Read the organization keys; undefined when none is set (one account, as before).
 *
 * @throws Error naming the key and the value when one is wrong
 */
export function readOrgConfig(get: Get, read: Read, account: string | undefined): OrgAppConfig | undefined {
  const mode = read.text(get, 'orgMode');
  const targets = read.list(get, 'orgTargets');
  const organizationId = read.text(get, 'orgId');
  const callAs = read.text(get, 'orgCallAs');
  const operatorPrincipals = read.list(get, 'orgOperatorPrincipals');
  if (mode === undefined && targets.length === 0 && organizationId === undefined && callAs === undefined) {
    return undefined;
  }
  if (mode !== undefined && mode !== ORG_MODE.central && mode !== ORG_MODE.stackset) {
    throw new ContextError('orgMode', `context orgMode must be central or stackset, got "${mode}"`);
  }
  if (targets.length === 0) {
    throw new ContextError(
      'orgTargets',
      'context orgTargets must list the OUs to guard (ou-…, or the root r-…), got nothing',
    );
  }
  for (const t of targets) {
    if (!ORG_ID.target.test(t)) {
      throw new ContextError(
        'orgTargets',
        `context orgTargets must hold OU ids (ou-xxxx-xxxxxxxx) or the root id (r-xxxx), got "${t}"`,
      );
    }
  }
  if (organizationId === undefined || !ORG_ID.organization.test(organizationId)) {
    throw new ContextError(
      'orgId',
      `context orgId must be the organization id (o-xxxxxxxxxx), got "${organizationId ?? ''}"`,
    );
  }
  if (callAs !== undefined && callAs !== 'SELF' && callAs !== 'DELEGATED_ADMIN') {
    throw new ContextError('orgCallAs', `context orgCallAs must be SELF or DELEGATED_ADMIN, got "${callAs}"`);
  }
  if (account === undefined || !ORG_ID.account.test(account)) {
    throw new ContextError(
      'account',
      `context account must be the 12-digit id of the account that deploys (organization mode names the bus and the asset bucket by it), got "${account ?? ''}"`,
    );
  }
  for (const p of operatorPrincipals) {
    if (!/^arn:aws[a-z-]*:(iam|sts)::\d{12}:(role|user|assumed-role)\/.+$/.test(p)) {
      throw new Error(`context orgOperatorPrincipals must hold IAM role or user ARNs, got "${p}"`);
    }
  }
  return {
    mode: mode ?? ORG_MODE.central,
    organizationId,
    targets,
    callAs: callAs ?? 'DELEGATED_ADMIN',
    ...(operatorPrincipals.length === 0 ? {} : { operatorPrincipals }),
  };
}

/** What {@link buildOrgApp} needs from the app's settings. */
export interface OrgBuildInput {
  readonly org: OrgAppConfig;
  readonly account: string;
  readonly homeRegion: string;
  readonly regions: readonly string[];
  readonly stackPrefix: string;
  readonly guard: LaunchLoopGuardProps;
  readonly slackWebhookSecretName?: string;
  /** See `AppConfig.accessLogsBucketName`. */
  readonly accessLogsBucketName?: string;
}

/** The stacks an organization deploy made. */
export interface BuiltOrgApp {
  /** `CentralGuardStack` (central) or `StackSetGuardsStack` (stackset). */
  readonly main: CentralGuardStack | StackSetGuardsStack;
  /** The organization's asset bucket (stackset mode). */
  readonly assets?: OrgAssetsStack;
  /** Forwarders of the central account's own other regions (central mode). */
  readonly forwarders: Stack[];
}

/** Add the stacks of the organization mode to the app. */
export function buildOrgApp(app: App, input: OrgBuildInput): BuiltOrgApp {
  const { org, account, homeRegion, stackPrefix } = input;
  const env = { account, region: homeRegion };
  if (org.mode === ORG_MODE.stackset) {
    if (input.slackWebhookSecretName !== undefined) {
      throw new ContextError(
        'slackWebhookSecretName',
        'context slackWebhookSecretName is not supported with orgMode=stackset (each account would need the secret)',
      );
    }
    const assets = new OrgAssetsStack(app, `${stackPrefix}-OrgAssets`, {
      env,
      organizationId: org.organizationId,
      controlTower: input.guard.controlTower,
      accessLogsBucketName: input.accessLogsBucketName,
    });
    const main = new StackSetGuardsStack(app, stackPrefix, {
      env,
      targets: org.targets,
      regions: [...input.regions],
      guard: input.guard,
      callAs: org.callAs,
      stackSetPrefix: stackPrefix,
      accessLogsBucketName: input.accessLogsBucketName,
    });
    main.addStackDependency(assets);
    return { main, assets, forwarders: [] };
  }
  if (input.guard.autoResume !== undefined) {
    throw new ContextError(
      'autoResume',
      'context autoResume is not supported with orgMode=central yet (resuming a group of a member account on a schedule is not built; resume by hand with the commands of the trip alert)',
    );
  }
  const main = new CentralGuardStack(app, stackPrefix, {
    env,
    organizationId: org.organizationId,
    targets: org.targets,
    regions: [...input.regions],
    guard: input.guard,
    callAs: org.callAs,
    stackSetPrefix: stackPrefix,
    slackWebhookSecretName: input.slackWebhookSecretName,
    accessLogsBucketName: input.accessLogsBucketName,
    ...(org.operatorPrincipals === undefined ? {} : { operatorPrincipals: org.operatorPrincipals }),
  });
  // The central account's own other regions forward to its default bus, as with one account.
  const forwarders = input.regions
    .filter((r) => r !== homeRegion)
    .map(
      (region) =>
        new GuardForwarderStack(app, `${stackPrefix}-Forwarder-${region}`, {
          env: { account, region },
          homeRegion,
        }),
    );
  return { main, forwarders };
}
