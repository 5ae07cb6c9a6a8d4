/**
 * Likely causes of a launch loop, from what the trip knows: the AMIs (names, descriptions,
 * architecture, platform), the instance types when known, the launch calls that failed, and who
 * made the launches. Each
 * finding is one sentence for a person; none is certain, so each says "likely" or names what
 * to check.
 *
 * The motivating incident: a launch template resolved its AMI with `most_recent = true` and a
 * wildcard name filter such as `al2023-ami-ecs-*`. The newest image matching it was the
 * ECS-optimized Neuron AMI (for Inferentia/Trainium); the group's instances booted from it,
 * never joined their ECS cluster, and the capacity provider kept launching replacements.
 */

/** What diagnosis knows of one AMI (from `DescribeImages`, when it could be read). */
export interface ImageInfo {
  readonly imageId: string;
  readonly name?: string;
  readonly description?: string;
  /** e.g. `amazon`, or undefined for a private or third-party image. */
  readonly ownerAlias?: string;
  /** The owner's account id. */
  readonly ownerId?: string;
  /** When the image was created (ISO 8601, as EC2 gives it). */
  readonly creationDate?: string;
  /** `x86_64`, `arm64`, … */
  readonly architecture?: string;
  /** `windows` for Windows images, undefined otherwise. */
  readonly platform?: string;
}

/** Failed launch calls seen in the window, by error code. */
export interface FailedAttemptCount {
  readonly errorCode: string;
  readonly count: number;
}

/** Everything diagnosis looks at. */
export interface DiagnosisInput {
  readonly images: readonly ImageInfo[];
  readonly failedAttempts?: readonly FailedAttemptCount[];
  readonly callers?: readonly string[];
  /**
   * The instance types the launches used (e.g. `inf2.xlarge`), when known. Without them, a
   * finding that depends on the instance type is worded as a condition to check.
   */
  readonly instanceTypes?: readonly string[];
}

/** An AMI variant that breaks a generic workload, recognized by its name. */
interface Variant {
  readonly test: (text: string) => boolean;
  readonly what: string;
}

const ECS_NEURON: Variant = {
  test: (t) => /ecs/.test(t) && /neuron|inf[12]?\b|inferentia|trainium/.test(t),
  what: 'the ECS-optimized Neuron AMI, built for Inferentia and Trainium instances (inf1, inf2, trn1, trn2)',
};

/** Instance types the Neuron AMIs are built for: Inferentia (`inf1`, `inf2`) and Trainium (`trn1`, `trn1n`, `trn2`). */
const NEURON_TYPE = /^(inf|trn)\d/i;

/** How the Neuron AMI was picked in the incident behind this guard, and the fix. */
const NEURON_HOW =
  'This is how the incident behind this guard began: a wildcard AMI name filter with most_recent=true ' +
  'picked the newest matching image, which was this one; pin the AMI id or narrow the filter.';

const VARIANTS: readonly Variant[] = [
  {
    test: (t) => /neuron|inferentia|trainium/.test(t) && !/ecs/.test(t),
    what: 'a Neuron (Inferentia/Trainium) image, which expects those instance types and their drivers',
  },
  {
    test: (t) => /-gpu-|\bgpu\b|nvidia/.test(t),
    what: 'a GPU variant, which expects GPU instance types and NVIDIA drivers',
  },
  {
    test: (t) => /minimal/.test(t),
    what: 'a minimal image, which lacks agents (SSM, and ECS unless installed) that the usual images carry',
  },
  {
    test: (t) => /bottlerocket/.test(t),
    what: 'a Bottlerocket image, whose user data is TOML settings, not a shell script',
  },
];

/**
 * Find the likely causes.
 *
 * @returns one sentence per finding, most telling first; empty when nothing stands out
 */
export function diagnose(input: DiagnosisInput): string[] {
  const out: string[] = [];
  for (const image of input.images) out.push(...imageFindings(image, input.instanceTypes));
  out.push(...architectureFindings(input.images));
  if (input.images.length > 1) {
    out.push(
      `${input.images.length} different AMIs were launched recently: the launch template or its AMI ` +
        'parameter changed meanwhile, or an AMI lookup resolves differently over time.',
    );
  }
  out.push(...failureFindings(input.failedAttempts ?? []));
  out.push(...callerFindings(input.callers ?? []));
  return out;
}

/** "ami-… (name)" or the bare id. */
export function imageLabel(image: ImageInfo): string {
  return image.name ? `${image.imageId} (${image.name})` : image.imageId;
}

function imageFindings(image: ImageInfo, instanceTypes?: readonly string[]): string[] {
  const text = `${image.name ?? ''} ${image.description ?? ''}`.toLowerCase();
  const label = imageLabel(image);
  const out: string[] = [];
  if (ECS_NEURON.test(text)) {
    const finding = neuronFinding(label, instanceTypes);
    return finding === undefined ? [] : [finding];
  }
  const variant = VARIANTS.find((v) => v.test(text));
  if (variant !== undefined) {
    out.push(
      `${label} is ${variant.what}. If the group is not meant for it, a broad AMI name filter (for example ` +
        '`al2023-ami-*-x86_64` with most_recent=true) likely picked it; pin the AMI id or narrow the filter.',
    );
  }
  if (image.platform?.toLowerCase() === 'windows' || /windows/.test(text)) {
    out.push(`${label} is a Windows image: Linux user data and agents do not run on it.`);
  }
  return out;
}

/**
 * The ECS Neuron AMI is a likely cause only on instance types it is not built for. Known types
 * decide (on Inferentia or Trainium types it is the right image: no finding); unknown types make
 * the finding a condition to check, so it never claims a mismatch it has not seen.
 */
function neuronFinding(label: string, instanceTypes?: readonly string[]): string | undefined {
  const types = [...new Set(instanceTypes ?? [])].filter((t) => t !== '');
  if (types.length === 0) {
    return (
      `${label} is ${ECS_NEURON.what}. If the group launches other instance types, this AMI is the likely ` +
      `cause: on them its instances typically never join the ECS cluster. ${NEURON_HOW}`
    );
  }
  const others = types.filter((t) => !NEURON_TYPE.test(t)).sort();
  if (others.length === 0) return undefined;
  return (
    `${label} is ${ECS_NEURON.what}, but the group launched ${others.join(', ')}: on ${others.length === 1 ? 'that type' : 'those types'} ` +
    `its instances typically never join the ECS cluster. ${NEURON_HOW}`
  );
}

function architectureFindings(images: readonly ImageInfo[]): string[] {
  const arches = new Set(images.map(architectureOf).filter((a): a is string => a !== undefined));
  if (arches.size < 2) return [];
  return [
    `The window's AMIs mix architectures (${[...arches].sort().join(', ')}): an image for one architecture ` +
      'cannot run on instance types of the other.',
  ];
}

function architectureOf(image: ImageInfo): string | undefined {
  if (image.architecture) return image.architecture;
  const name = image.name?.toLowerCase() ?? '';
  if (/arm64|aarch64/.test(name)) return 'arm64';
  if (/x86_64|amd64/.test(name)) return 'x86_64';
  return undefined;
}

/** What an error code of a failed launch call usually means. */
const FAILURE_MEANING: Readonly<Record<string, string>> = {
  InsufficientInstanceCapacity: 'EC2 had no capacity for the instance type in that zone',
  'Server.InsufficientInstanceCapacity': 'EC2 had no capacity for the instance type in that zone',
  InsufficientCapacity: 'EC2 had no capacity for the request',
  UnauthorizedOperation:
    'the launching role lacks a permission (often kms:CreateGrant on the EBS key, or iam:PassRole for the instance profile)',
  'Client.UnauthorizedOperation':
    'the launching role lacks a permission (often kms:CreateGrant on the EBS key, or iam:PassRole for the instance profile)',
  AccessDenied: 'the launching role lacks a permission',
  InvalidParameterValue:
    'the launch template holds a value EC2 refuses (AMI, instance type, or network settings)',
  InvalidParameterCombination:
    'the launch template combines settings EC2 refuses (for example an AMI and an instance type)',
  'InvalidAMIID.NotFound': 'the AMI no longer exists or is not shared with this account',
  'InvalidAMIID.Unavailable': 'the AMI is not available (deregistered or still pending)',
  VcpuLimitExceeded: 'the account reached its vCPU quota for that instance family',
  InstanceLimitExceeded: 'the account reached its instance quota',
  'Client.InvalidKMSKey.InvalidState': 'the EBS encryption key is disabled or pending deletion',
  'Client.InternalError': 'an EBS volume could not be created, often because the EBS KMS key cannot be used',
};

function failureFindings(failures: readonly FailedAttemptCount[]): string[] {
  const byCode = new Map<string, number>();
  for (const f of failures) {
    if (f.errorCode === 'Client.DryRunOperation' || f.count <= 0) continue;
    byCode.set(f.errorCode, (byCode.get(f.errorCode) ?? 0) + f.count);
  }
  return [...byCode.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([code, n]) => {
      const meaning = FAILURE_MEANING[code];
      const calls = n === 1 ? '1 launch call' : `${n} launch calls`;
      return meaning === undefined
        ? `${calls} failed with ${code}.`
        : `${calls} failed with ${code}: likely ${meaning}.`;
    });
}

const AUTO_SCALING_CALLER = /AWSServiceRoleForAutoScaling|^autoscaling\.amazonaws\.com$/;

function callerFindings(callers: readonly string[]): string[] {
  const others = [...new Set(callers)].filter((c) => c !== '' && !AUTO_SCALING_CALLER.test(c));
  if (others.length === 0) return [];
  const out: string[] = [];
  const karpenter = others.filter((c) => /karpenter/i.test(c));
  if (karpenter.length > 0) {
    out.push(
      `Karpenter made some of the launches (${karpenter[0]}): check its NodePool and EC2NodeClass AMI selector.`,
    );
  }
  const rest = others.filter((c) => !/karpenter/i.test(c));
  if (rest.length > 0) {
    const shown = rest.slice(0, 3).join(', ');
    const more = rest.length > 3 ? ` and ${rest.length - 3} more` : '';
    out.push(
      `Launches were also made by ${shown}${more}, not by Auto Scaling: check what runs under ${rest.length === 1 ? 'that identity' : 'those identities'} (CI, scripts, controllers).`,
    );
  }
  return out;
}
