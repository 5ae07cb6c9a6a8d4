/**
 * launch-loop-guard as a construct library: add the guard to your own CDK app.
 *
 * @example
 * import { LaunchLoopGuard } from 'launch-loop-guard';
 * new LaunchLoopGuard(stack, 'Guard', { emails: ['oncall@example.com'] });
 */

export type { BackoffSettings } from '../lambda/core/auto-resume';
export { type AppConfig, type BuiltApp, buildApp, buildOrganizationApp, readAppConfig } from './app';
export { AutoResume, type AutoResumeOptions, type AutoResumeProps } from './auto-resume';
export {
  AUTO_SCALING_PATTERN,
  CLOUDTRAIL_LAUNCH_PATTERN,
  GUARD_PATTERNS,
  TRAIL_TAMPERING_PATTERN,
} from './event-patterns';
export { GuardForwarderStack, type GuardForwarderStackProps } from './forwarder-stack';
export { LaunchLoopGuard, SERVICE_NAME } from './launch-loop-guard';
export { LaunchLoopGuardStack, type LaunchLoopGuardStackProps } from './launch-loop-guard-stack';
export {
  GuardMemberRolesStack,
  type GuardMemberRolesStackProps,
  MEMBER_ROLE_NAME,
  OPERATOR_ROLE_NAME,
} from './member-role';
export { type BuiltOrgApp, buildOrgApp, ORG_MODE, type OrgAppConfig, type OrgMode } from './org-app';
export { CENTRAL_BUS_NAME, CentralGuardStack, type CentralGuardStackProps } from './org-central';
export { StackSetGuardsStack, type StackSetGuardsStackProps } from './org-guards';
export {
  GuardStackSet,
  type GuardStackSetProps,
  memberTemplate,
  OrgAssetsStack,
  type OrgAssetsStackProps,
  orgAssetBucketName,
  type StackSetCaller,
  type StackSetTemplate,
} from './org-stackset';
export {
  type LaunchLoopGuardProps,
  MAX_WINDOW,
  type SlackChatbotOptions,
  type SlackOptions,
} from './props';
export { Resumer, type ResumerProps } from './resumer';
