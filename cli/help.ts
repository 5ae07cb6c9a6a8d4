/**
 * The `--help` text of every command (`-h` too). Each starts with the command's one-line usage.
 */

/**
 * Every command with what it does, one line each. `bin/cli.ts` keys its command table by these
 * names, so a command cannot be added without its line in `launch-loop-guard --help`.
 */
export const COMMAND_SUMMARIES = {
  replay: 'backtest thresholds on CloudTrail history (files, folders or stdin), offline',
  status: 'the groups the guard suspended, and the scopes near their threshold',
  resume: 'resume a group the guard suspended, remove its tags, clear its launch window',
  'check-ami-lookups':
    'find Terraform AMI lookups that can pick another AMI family (offline unless --online)',
} as const;

/** A command's name. */
export type CommandName = keyof typeof COMMAND_SUMMARIES;

const NAME_WIDTH = Math.max(...Object.keys(COMMAND_SUMMARIES).map((n) => n.length)) + 2;

/** The commands, one line each, for `launch-loop-guard --help`. */
export const OVERVIEW = `usage: launch-loop-guard <command> [args...]

Stops EC2 Auto Scaling launch loops. Commands (each has --help):
${Object.entries(COMMAND_SUMMARIES)
  .map(([name, summary]) => `  ${name.padEnd(NAME_WIDTH)}${summary}`)
  .join('\n')}

status and resume use the standard AWS credential chain and region (AWS_PROFILE, AWS_REGION,
SSO). The guard's table is the stack output TableName.`;

/** `status --help`. */
export const STATUS_HELP = `usage: status [--region R]... [--table T] [--table-region R] [--near SHARE] [--format text|json]
              [--account ID [--role-name NAME]]

Lists the Auto Scaling groups the guard suspended (found by its launch-loop-guard:suspended-at
tag), with the AWS CLI commands that undo each suspension, and the scopes whose current count is
close to their threshold (read from the guard's table).

  --region R          a region to look in; repeat for several (default: the AWS CLI's region)
  --table T           the guard's DynamoDB table (default: LLG_TABLE_NAME); without it the
                      scopes near their threshold are not read. Find it with
                      aws cloudformation describe-stacks --stack-name LaunchLoopGuard
                      --query "Stacks[0].Outputs[?OutputKey=='TableName'].OutputValue"
  --table-region R    the table's region, when it differs from --region (default:
                      LLG_TABLE_REGION, else the first --region)
  --near SHARE        list scopes at this share of their threshold or more, in (0, 1]
                      (default 0.5)
  --format text|json  text for people (default), json for scripts
  --account ID        organization (central mode): look in this member account, through its
                      operator role
  --role-name NAME    the member account's role to assume (default LaunchLoopGuardOperator)
  -h, --help          this text

Each suspended group shows the estimated compute cost of its instances (from the AWS Price
List and Spot price history; needs ec2:DescribeInstances, ec2:DescribeSpotPriceHistory and
pricing:GetProducts), or "unknown" when no price comes in time.

Exit codes: 0 done, 1 AWS failure (credentials, access, missing table), 2 bad command line.`;

/** `resume --help`. */
export const RESUME_HELP = `usage: resume <group> [--region R] [--table T] [--table-region R] [--force]
              [--account ID [--role-name NAME]]

Resumes only the processes the guard suspended on <group>, removes the guard's tags, clears the
group's launch window (so the old launches do not trip it again at once) and resets its
auto-resume backoff. Resuming Launch makes Auto Scaling replace, all at once, every instance it
found unhealthy while Launch was suspended.

  --region R          the group's region (default: the AWS CLI's region)
  --table T           the guard's DynamoDB table, required (default: LLG_TABLE_NAME); the stack
                      output TableName
  --table-region R    the table's region, when it differs from --region (default:
                      LLG_TABLE_REGION, else --region)
  --force             resume a group the guard did not suspend (no suspended-at tag)
  --account ID        organization (central mode): the member account the group is in
  --role-name NAME    the member account's role to assume (default LaunchLoopGuardOperator)
  -h, --help          this text

Without this tool: the alert prints the AWS CLI commands, and the guard's resumer function
(stack output ResumerFunctionName) does the same as this command through aws lambda invoke.

Exit codes: 0 resumed, 1 AWS failure or group not found, 2 bad command line, 3 refused (the
guard did not suspend the group, or suspended it again since).`;

/** `replay --help`. */
export const REPLAY_HELP = `usage: replay [--asg-threshold N] [--ami-threshold N] [--window D] [--format text|json] [--threads N]
              [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--profile NAME] [--prices FILE | --online] PATH...
       replay --sql athena [--table DB.TABLE] [--since ...] [--until ...] [thresholds, --window]

Replays CloudTrail history through the guard's counting rules and prints the trips it would have
made, offline. A PATH is a CloudTrail log file (.json or .json.gz, as S3 keeps them), a JSON Lines
file with one record per line (.jsonl, .jsonl.gz), a folder of them (read recursively; digest and
Insights files are skipped), - for standard input, or s3://bucket/prefix/ (listed and read from S3).

  --asg-threshold N   launches of one group in one window that trip (default 10)
  --ami-threshold N   launches of one AMI in one window that trip (default 50)
  --window D          the trailing window, 1m to 24h, e.g. 30m, 1h, 6h (default 1h)
  --format text|json  text for people (default), json for scripts
  --threads N         reading threads (default: one per core, at most 16); the output is the same
  --since, --until    S3 only: the first and last day folders to read
  --profile NAME      S3 only: the AWS profile to use
  --sql athena        print the Athena query that computes the same trips over a CloudTrail table
  --table DB.TABLE    with --sql: the table to query
  --prices FILE       estimate each trip's compute cost (and the total the guard would have
                      stopped, per day) with the USD hourly prices of FILE:
                      {"currency":"USD","day":"YYYY-MM-DD","prices":{"<key>":0.096}}, keys
                      on-demand|<region>|<type>|<operation>|<tenancy> or spot|<zone>|<type>|<product>
                      (the guard's price cache); JSON output gains estimatedCostUsd and
                      costPerDayAtRateUsd (null when unknown)
  --online            the same with today's prices from the AWS Price List API (needs
                      pricing:GetProducts and ec2:DescribeSpotPriceHistory)
  -h, --help          this text

Exit codes: 0 done; 2 when the command line or the inputs cannot be used (nothing readable, a bad
flag); see the README.`;
