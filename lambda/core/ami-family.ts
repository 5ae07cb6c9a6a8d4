/**
 * The public AMI families that an EC2 Auto Scaling group may launch, kept as data: each family's
 * naming rule (EC2 name-filter wildcards), who publishes it, where the rule comes from, and the
 * one-family lookups (SSM public parameters) that replace a broad name filter.
 *
 * Shared by `check-ami-lookups` (which families can a Terraform `aws_ami` lookup return?) and the
 * AMI-change alert (which family did a group just switch to?). Pure: no AWS, no clock.
 *
 * Naming rules use EC2's filter wildcards: `*` is any run of characters (also none), `?` exactly
 * one; a backslash makes the next character literal
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeImages.html, "Filters").
 * Families are kept pairwise disjoint (no name can follow the rules of two families; a test checks
 * it), so a name belongs to at most one family. A rule's `*` stands for more than real names put
 * there (`al2023-ami-2023.*` also covers `al2023-ami-2023.x-neuron-…`), so a filter can be said to
 * reach a family that no real image of it matches: the check errs on the side of reporting, and
 * `check-ami-lookups --online` shows what really exists.
 */

/** An owner as `DescribeImages` and Terraform's `owners` take it: an alias, `self` or an account id. */
export type Owner = string;

/** One public AMI family. */
export interface AmiFamily {
  /** Stable id, used in JSON output and alerts, e.g. `al2023-ecs-neuron`. */
  readonly id: string;
  /** For people, e.g. `Amazon Linux 2023 ECS-optimized Neuron`. */
  readonly label: string;
  /** The kind of image, the same across generations (the AMI-change alert compares these). */
  readonly kind: AmiKind;
  /** Name rules (EC2 wildcards); a name in the family follows one of them. */
  readonly namePatterns: readonly string[];
  /** Owners that publish it: `amazon` and the account ids seen publishing it. */
  readonly owners: readonly Owner[];
  /** SSM public parameters that name the latest image of this family (one per architecture), if any. */
  readonly ssmParameters: readonly string[];
  /** Real image names of the family, from the source. */
  readonly examples: readonly string[];
  /** Where the naming rule comes from. */
  readonly source: string;
}

/** Kinds of image, as the issue names them. */
export const AMI_KINDS = [
  'standard',
  'minimal',
  'ecs-optimized',
  'ecs-gpu',
  'ecs-neuron',
  'eks-optimized',
  'eks-gpu',
  'eks-neuron',
  'deep-learning',
  'windows',
  'windows-ecs',
  'windows-eks',
  'bottlerocket-ecs',
  'bottlerocket-ecs-gpu',
  'bottlerocket-eks',
  'bottlerocket-eks-gpu',
] as const;
export type AmiKind = (typeof AMI_KINDS)[number];

/** Account that publishes Amazon Linux (and the ECS-optimized AMIs in most commercial regions). */
const AMAZON_LINUX_ACCOUNT = '137112412989';
/** Account seen publishing ECS-optimized AMIs (public Terraform filters for `al2023-ami-ecs-hvm-*`). */
const ECS_AMI_ACCOUNT = '591542846629';
/** Account that publishes the EKS-optimized Amazon Linux AMIs. */
const EKS_AMI_ACCOUNT = '602401143452';
/** Account that publishes the Windows Server AMIs. */
const WINDOWS_ACCOUNT = '801119661308';

const AL2023_DOC = 'https://docs.aws.amazon.com/linux/al2023/ug/naming-and-versioning.html';
const ECS_AMI_REPO =
  'aws/amazon-ecs-ami on GitHub: the Packer files (al2023*.pkr.hcl, al2*.pkr.hcl) build the names and every release lists them';
const ECS_SSM = 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/retrieve-ecs-optimized_AMI.html';
const EKS_SSM = 'https://docs.aws.amazon.com/eks/latest/userguide/retrieve-ami-id.html';

/** The catalogue. Add a family here, with its source; the disjointness test guards the rest. */
export const AMI_FAMILIES: readonly AmiFamily[] = [
  // Amazon Linux 2023
  {
    id: 'al2023-standard',
    label: 'Amazon Linux 2023',
    kind: 'standard',
    namePatterns: ['al2023-ami-2023.*-kernel-*-x86_64', 'al2023-ami-2023.*-kernel-*-arm64'],
    owners: ['amazon', AMAZON_LINUX_ACCOUNT],
    ssmParameters: [
      '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64',
    ],
    examples: [
      'al2023-ami-2023.0.20230301.0-kernel-6.1-x86_64',
      'al2023-ami-2023.9.20251208.0-kernel-6.1-x86_64',
    ],
    source: `${AL2023_DOC} (al2023-ami-2023.<minor>.<date>.<n>-kernel-<k>-<arch>); SSM parameter names from the same guide, "Launching AL2023 using the SSM parameter"`,
  },
  {
    id: 'al2023-minimal',
    label: 'Amazon Linux 2023 minimal',
    kind: 'minimal',
    namePatterns: ['al2023-ami-minimal-2023.*-kernel-*-x86_64', 'al2023-ami-minimal-2023.*-kernel-*-arm64'],
    owners: ['amazon', AMAZON_LINUX_ACCOUNT],
    ssmParameters: [
      '/aws/service/ami-amazon-linux-latest/al2023-ami-minimal-kernel-default-x86_64',
      '/aws/service/ami-amazon-linux-latest/al2023-ami-minimal-kernel-default-arm64',
    ],
    examples: ['al2023-ami-minimal-2023.3.20240219.0-kernel-6.1-x86_64'],
    source: `${AL2023_DOC}; the minimal AMI is the source image named in every ${ECS_AMI_REPO}`,
  },
  {
    id: 'al2023-ecs',
    label: 'Amazon Linux 2023 ECS-optimized',
    kind: 'ecs-optimized',
    namePatterns: ['al2023-ami-ecs-hvm-2023.*-kernel-*-x86_64', 'al2023-ami-ecs-hvm-2023.*-kernel-*-arm64'],
    owners: ['amazon', AMAZON_LINUX_ACCOUNT, ECS_AMI_ACCOUNT],
    ssmParameters: [
      '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id',
      '/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id',
    ],
    examples: [
      'al2023-ami-ecs-hvm-2023.0.20240221-kernel-6.1-x86_64',
      'al2023-ami-ecs-hvm-2023.0.20240221-kernel-6.1-arm64',
    ],
    source: `${ECS_AMI_REPO} (al2023.pkr.hcl, al2023arm.pkr.hcl: <prefix>-hvm-2023.0.<date>-kernel-<k>-<arch>); SSM: ${ECS_SSM}`,
  },
  {
    id: 'al2023-ecs-gpu',
    label: 'Amazon Linux 2023 ECS-optimized GPU',
    kind: 'ecs-gpu',
    // The GPU AMI alone ends in -ebs (al2023gpu.pkr.hcl): `al2023-ami-*-x86_64` does not match it.
    namePatterns: ['al2023-ami-ecs-gpu-hvm-2023.*-kernel-*-x86_64-ebs'],
    owners: ['amazon', AMAZON_LINUX_ACCOUNT, ECS_AMI_ACCOUNT],
    ssmParameters: ['/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id'],
    examples: ['al2023-ami-ecs-gpu-hvm-2023.0.20261030-kernel-6.1-x86_64-ebs'],
    source: `${ECS_AMI_REPO} (al2023gpu.pkr.hcl: <prefix>-gpu-hvm-2023.0.<date>-kernel-<k>-x86_64-ebs); SSM: ${ECS_SSM}`,
  },
  {
    id: 'al2023-ecs-neuron',
    label: 'Amazon Linux 2023 ECS-optimized Neuron',
    kind: 'ecs-neuron',
    namePatterns: ['al2023-ami-ecs-neuron-hvm-2023.*-kernel-*-x86_64'],
    owners: ['amazon', AMAZON_LINUX_ACCOUNT, ECS_AMI_ACCOUNT],
    ssmParameters: ['/aws/service/ecs/optimized-ami/amazon-linux-2023/neuron/recommended/image_id'],
    examples: [
      'al2023-ami-ecs-neuron-hvm-2023.0.20240221-kernel-6.1-x86_64',
      'al2023-ami-ecs-neuron-hvm-2023.0.20251209-kernel-6.1-x86_64',
    ],
    source: `${ECS_AMI_REPO} (al2023neu.pkr.hcl: <prefix>-neuron-hvm-2023.0.<date>-kernel-<k>-x86_64); SSM: ${ECS_SSM}`,
  },
  {
    id: 'al2023-eks',
    label: 'Amazon Linux 2023 EKS-optimized',
    kind: 'eks-optimized',
    namePatterns: ['amazon-eks-node-al2023-x86_64-standard-*', 'amazon-eks-node-al2023-arm64-standard-*'],
    owners: ['amazon', EKS_AMI_ACCOUNT],
    ssmParameters: [
      '/aws/service/eks/optimized-ami/<kubernetes-version>/amazon-linux-2023/x86_64/standard/recommended/image_id',
    ],
    examples: ['amazon-eks-node-al2023-x86_64-standard-1.29-v20240213'],
    source: `awslabs/amazon-eks-ami (amazon-eks-node-al2023-<arch>-<variant>-<k8s>-v<date>); SSM: ${EKS_SSM}`,
  },
  {
    id: 'al2023-eks-nvidia',
    label: 'Amazon Linux 2023 EKS-optimized NVIDIA',
    kind: 'eks-gpu',
    namePatterns: ['amazon-eks-node-al2023-x86_64-nvidia-*', 'amazon-eks-node-al2023-arm64-nvidia-*'],
    owners: ['amazon', EKS_AMI_ACCOUNT],
    ssmParameters: [
      '/aws/service/eks/optimized-ami/<kubernetes-version>/amazon-linux-2023/x86_64/nvidia/recommended/image_id',
    ],
    examples: ['amazon-eks-node-al2023-x86_64-nvidia-1.30-v20240703'],
    source: `awslabs/amazon-eks-ami; SSM: ${EKS_SSM}`,
  },
  {
    id: 'al2023-eks-neuron',
    label: 'Amazon Linux 2023 EKS-optimized Neuron',
    kind: 'eks-neuron',
    namePatterns: ['amazon-eks-node-al2023-x86_64-neuron-*'],
    owners: ['amazon', EKS_AMI_ACCOUNT],
    ssmParameters: [
      '/aws/service/eks/optimized-ami/<kubernetes-version>/amazon-linux-2023/x86_64/neuron/recommended/image_id',
    ],
    examples: ['amazon-eks-node-al2023-x86_64-neuron-1.30-v20240703'],
    source: `awslabs/amazon-eks-ami (ami_name_prefix amazon-eks-neuron in its AL2023 Neuron template); SSM: ${EKS_SSM}`,
  },
  // Amazon Linux 2
  {
    id: 'al2-standard',
    label: 'Amazon Linux 2',
    kind: 'standard',
    namePatterns: ['amzn2-ami-hvm-2.0.*', 'amzn2-ami-kernel-*-hvm-2.0.*'],
    owners: ['amazon', AMAZON_LINUX_ACCOUNT],
    ssmParameters: [
      '/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2',
      '/aws/service/ami-amazon-linux-latest/amzn2-ami-kernel-5.10-hvm-x86_64-gp2',
    ],
    examples: [
      'amzn2-ami-hvm-2.0.20240131.0-x86_64-gp2',
      'amzn2-ami-kernel-5.10-hvm-2.0.20240131.0-x86_64-gp2',
    ],
    source:
      'Amazon Linux 2 SSM public parameters under /aws/service/ami-amazon-linux-latest/ (aws-cdk-lib AmazonLinux2ImageSsmParameter builds the same names)',
  },
  {
    id: 'al2-minimal',
    label: 'Amazon Linux 2 minimal',
    kind: 'minimal',
    namePatterns: ['amzn2-ami-minimal-hvm-2.0.*'],
    owners: ['amazon', AMAZON_LINUX_ACCOUNT],
    ssmParameters: ['/aws/service/ami-amazon-linux-latest/amzn2-ami-minimal-hvm-x86_64-ebs'],
    examples: ['amzn2-ami-minimal-hvm-2.0.20240131.0-x86_64-ebs'],
    source: `the source image of the AL2 ECS-optimized AMIs in ${ECS_AMI_REPO}`,
  },
  {
    id: 'al2-ecs',
    label: 'Amazon Linux 2 ECS-optimized',
    kind: 'ecs-optimized',
    namePatterns: ['amzn2-ami-ecs-hvm-2.0.*', 'amzn2-ami-ecs-kernel-5.10-hvm-2.0.*'],
    owners: ['amazon', AMAZON_LINUX_ACCOUNT, ECS_AMI_ACCOUNT],
    ssmParameters: [
      '/aws/service/ecs/optimized-ami/amazon-linux-2/recommended/image_id',
      '/aws/service/ecs/optimized-ami/amazon-linux-2/kernel-5.10/recommended/image_id',
    ],
    examples: ['amzn2-ami-ecs-hvm-2.0.20240221-x86_64-ebs', 'amzn2-ami-ecs-hvm-2.0.20240221-arm64-ebs'],
    source: `${ECS_AMI_REPO} (al2.pkr.hcl, al2arm.pkr.hcl, al2kernel5dot10*.pkr.hcl); SSM: ${ECS_SSM}`,
  },
  {
    id: 'al2-ecs-gpu',
    label: 'Amazon Linux 2 ECS-optimized GPU',
    kind: 'ecs-gpu',
    namePatterns: [
      'amzn2-ami-ecs-gpu-hvm-2.0.*',
      'amzn2-ami-ecs-kernel-5.10-gpu-hvm-2.0.*',
      'amzn2-ami-ecs-kepler-gpu-hvm-2.0.*',
    ],
    owners: ['amazon', AMAZON_LINUX_ACCOUNT, ECS_AMI_ACCOUNT],
    ssmParameters: ['/aws/service/ecs/optimized-ami/amazon-linux-2/gpu/recommended/image_id'],
    examples: ['amzn2-ami-ecs-gpu-hvm-2.0.20240221-x86_64-ebs'],
    source: `${ECS_AMI_REPO} (al2gpu.pkr.hcl, al2kernel5dot10gpu.pkr.hcl, al2keplergpu.pkr.hcl); SSM: ${ECS_SSM}`,
  },
  {
    id: 'al2-ecs-inf',
    label: 'Amazon Linux 2 ECS-optimized Inferentia (Neuron)',
    kind: 'ecs-neuron',
    namePatterns: ['amzn2-ami-ecs-inf-hvm-2.0.*', 'amzn2-ami-ecs-kernel-5.10-inf-hvm-2.0.*'],
    owners: ['amazon', AMAZON_LINUX_ACCOUNT, ECS_AMI_ACCOUNT],
    ssmParameters: ['/aws/service/ecs/optimized-ami/amazon-linux-2/inf/recommended/image_id'],
    examples: ['amzn2-ami-ecs-inf-hvm-2.0.20240221-x86_64-ebs'],
    source: `${ECS_AMI_REPO} (al2inf.pkr.hcl, al2kernel5dot10inf.pkr.hcl); SSM: ${ECS_SSM}`,
  },
  {
    id: 'al2-eks',
    label: 'Amazon Linux 2 EKS-optimized',
    kind: 'eks-optimized',
    namePatterns: ['amazon-eks-node-1.*', 'amazon-eks-arm64-node-1.*'],
    owners: ['amazon', EKS_AMI_ACCOUNT],
    ssmParameters: [
      '/aws/service/eks/optimized-ami/<kubernetes-version>/amazon-linux-2/recommended/image_id',
    ],
    examples: ['amazon-eks-node-1.29-v20240213', 'amazon-eks-arm64-node-1.21-v20211013'],
    source: `awslabs/amazon-eks-ami (amazon-eks{-arm64}-node-<k8s>-v<date>); SSM: ${EKS_SSM}`,
  },
  {
    id: 'al2-eks-gpu',
    label: 'Amazon Linux 2 EKS-optimized accelerated (GPU, Inferentia)',
    kind: 'eks-gpu',
    namePatterns: ['amazon-eks-gpu-node-1.*'],
    owners: ['amazon', EKS_AMI_ACCOUNT],
    ssmParameters: [
      '/aws/service/eks/optimized-ami/<kubernetes-version>/amazon-linux-2-gpu/recommended/image_id',
    ],
    examples: ['amazon-eks-gpu-node-1.29-v20240213'],
    source: `awslabs/amazon-eks-ami; SSM: ${EKS_SSM}`,
  },
  // Other Amazon-published families a broad filter can reach.
  {
    id: 'deep-learning',
    label: 'AWS Deep Learning AMI',
    kind: 'deep-learning',
    namePatterns: ['Deep Learning *'],
    owners: ['amazon'],
    ssmParameters: [],
    examples: [
      'Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.6.0 (Amazon Linux 2023) 20260103',
      'Deep Learning Base OSS Nvidia Driver GPU AMI (Amazon Linux 2023) 20240101',
    ],
    source: 'DLAMI release notes, https://docs.aws.amazon.com/dlami/latest/devguide/ (one page per release)',
  },
  {
    id: 'windows',
    label: 'Windows Server',
    kind: 'windows',
    // English editions only: a glob cannot say "any language but not ECS_Optimized".
    namePatterns: ['Windows_Server-????-English-Full-Base-*', 'Windows_Server-????-English-Core-Base-*'],
    owners: ['amazon', WINDOWS_ACCOUNT],
    ssmParameters: ['/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base'],
    examples: ['Windows_Server-2022-English-Full-Base-2024.01.10'],
    source:
      'Windows AMI SSM public parameters under /aws/service/ami-windows-latest/ (named after the image)',
  },
  {
    id: 'windows-ecs',
    label: 'Windows Server ECS-optimized',
    kind: 'windows-ecs',
    namePatterns: [
      'Windows_Server-????-English-Full-ECS_Optimized-*',
      'Windows_Server-????-English-Core-ECS_Optimized-*',
    ],
    owners: ['amazon', WINDOWS_ACCOUNT],
    ssmParameters: [
      '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-ECS_Optimized/image_id',
    ],
    examples: ['Windows_Server-2022-English-Full-ECS_Optimized-2024.01.10'],
    source: ECS_SSM,
  },
  {
    id: 'windows-eks',
    label: 'Windows Server EKS-optimized',
    kind: 'windows-eks',
    namePatterns: [
      'Windows_Server-????-English-Full-EKS_Optimized-*',
      'Windows_Server-????-English-Core-EKS_Optimized-*',
    ],
    owners: ['amazon', WINDOWS_ACCOUNT],
    ssmParameters: [
      '/aws/service/ami-windows-latest/Windows_Server-2022-English-Core-EKS_Optimized-<kubernetes-version>/image_id',
    ],
    examples: ['Windows_Server-2022-English-Core-EKS_Optimized-1.29-2024.01.10'],
    source: 'https://docs.aws.amazon.com/eks/latest/userguide/retrieve-windows-ami-id.html',
  },
  {
    id: 'bottlerocket-ecs',
    label: 'Bottlerocket for ECS',
    kind: 'bottlerocket-ecs',
    namePatterns: ['bottlerocket-aws-ecs-?-x86_64-*', 'bottlerocket-aws-ecs-?-aarch64-*'],
    owners: ['amazon'],
    ssmParameters: ['/aws/service/bottlerocket/aws-ecs-2/x86_64/latest/image_id'],
    examples: ['bottlerocket-aws-ecs-2-x86_64-v1.19.0-abcdef12'],
    source:
      'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-bottlerocket-retrieve-ami.html (bottlerocket-<variant>-<arch>-v<version>-<commit>)',
  },
  {
    id: 'bottlerocket-ecs-nvidia',
    label: 'Bottlerocket for ECS, NVIDIA',
    kind: 'bottlerocket-ecs-gpu',
    namePatterns: ['bottlerocket-aws-ecs-?-nvidia-x86_64-*', 'bottlerocket-aws-ecs-?-nvidia-aarch64-*'],
    owners: ['amazon'],
    ssmParameters: ['/aws/service/bottlerocket/aws-ecs-2-nvidia/x86_64/latest/image_id'],
    examples: ['bottlerocket-aws-ecs-2-nvidia-x86_64-v1.19.0-abcdef12'],
    source: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-bottlerocket-retrieve-ami.html',
  },
  {
    id: 'bottlerocket-k8s',
    label: 'Bottlerocket for Kubernetes (EKS)',
    kind: 'bottlerocket-eks',
    namePatterns: ['bottlerocket-aws-k8s-?.??-x86_64-*', 'bottlerocket-aws-k8s-?.??-aarch64-*'],
    owners: ['amazon'],
    ssmParameters: ['/aws/service/bottlerocket/aws-k8s-<kubernetes-version>/x86_64/latest/image_id'],
    examples: ['bottlerocket-aws-k8s-1.21-x86_64-v1.2.0-ccf1b754'],
    source: 'https://docs.aws.amazon.com/eks/latest/userguide/retrieve-ami-id-bottlerocket.html',
  },
  {
    id: 'bottlerocket-k8s-nvidia',
    label: 'Bottlerocket for Kubernetes (EKS), NVIDIA',
    kind: 'bottlerocket-eks-gpu',
    namePatterns: ['bottlerocket-aws-k8s-?.??-nvidia-x86_64-*', 'bottlerocket-aws-k8s-?.??-nvidia-aarch64-*'],
    owners: ['amazon'],
    ssmParameters: ['/aws/service/bottlerocket/aws-k8s-<kubernetes-version>-nvidia/x86_64/latest/image_id'],
    examples: ['bottlerocket-aws-k8s-1.29-nvidia-x86_64-v1.19.0-abcdef12'],
    source: 'https://docs.aws.amazon.com/eks/latest/userguide/retrieve-ami-id-bottlerocket.html',
  },
];

/** One step of a compiled wildcard pattern. */
type Step =
  | { readonly kind: 'star' }
  | { readonly kind: 'any' }
  | { readonly kind: 'char'; readonly c: string };

/** Compile an EC2 wildcard pattern: `*`, `?`, and `\x` for a literal x. */
function compile(pattern: string): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      i += 1;
      steps.push({ kind: 'char', c: pattern[i]! });
    } else if (c === '*') {
      // Two stars in a row are one star.
      if (steps.at(-1)?.kind !== 'star') steps.push({ kind: 'star' });
    } else if (c === '?') {
      steps.push({ kind: 'any' });
    } else {
      steps.push({ kind: 'char', c });
    }
  }
  return steps;
}

/**
 * Whether a name matches an EC2 wildcard pattern (`*`, `?`, `\` escapes), case-sensitively as EC2
 * compares names.
 */
export function wildcardMatches(pattern: string, name: string): boolean {
  return patternsOverlap(pattern, escapeWildcards(name));
}

/** Escape `*`, `?` and `\` so that a name reads as a pattern matching only itself. */
export function escapeWildcards(name: string): string {
  return name.replace(/[\\*?]/g, (c) => `\\${c}`);
}

/** Whether some name matches both wildcard patterns. */
export function patternsOverlap(a: string, b: string): boolean {
  return patternsShareName([a, b]);
}

/**
 * Whether some name matches every one of the wildcard patterns: a search over tuples of positions
 * in the patterns (the product of their automata). Patterns here are short and few.
 */
export function patternsShareName(patterns: readonly string[]): boolean {
  const compiled = patterns.map(compile);
  const seen = new Set<string>();
  const stack: number[][] = [compiled.map(() => 0)];
  while (stack.length > 0) {
    const at = stack.pop()!;
    const key = at.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    const steps = at.map((i, k) => compiled[k]![i]);
    if (steps.every((s) => s === undefined)) return true;
    // A star may match nothing: move past it without consuming a character.
    steps.forEach((s, k) => {
      if (s?.kind === 'star') stack.push(at.map((i, m) => (m === k ? i + 1 : i)));
    });
    // Every pattern consumes the same one character; a star stays where it is.
    if (steps.some((s) => s === undefined)) continue;
    const chars = new Set(steps.flatMap((s) => (s?.kind === 'char' ? [s.c] : [])));
    if (chars.size > 1) continue;
    stack.push(at.map((i, k) => (steps[k]!.kind === 'star' ? i : i + 1)));
  }
  return false;
}

/**
 * The catalogue families that some name can be in while matching every pattern (EC2 ANDs filters),
 * for a lookup limited to these owners. Catalogue order.
 *
 * @param patterns one value from each `name` filter
 */
export function familiesMatchedByAll(patterns: readonly string[], owners: readonly Owner[]): AmiFamily[] {
  return AMI_FAMILIES.filter(
    (f) => ownersCanSee(f, owners) && f.namePatterns.some((p) => patternsShareName([p, ...patterns])),
  );
}

/**
 * The family an image name belongs to, or undefined when the catalogue has none for it.
 *
 * @example familyOfImageName('al2023-ami-ecs-neuron-hvm-2023.0.20251209-kernel-6.1-x86_64')?.id // 'al2023-ecs-neuron'
 */
export function familyOfImageName(name: string): AmiFamily | undefined {
  return AMI_FAMILIES.find((f) => f.namePatterns.some((p) => wildcardMatches(p, name)));
}

/** The family with this id, or undefined. */
export function familyById(id: string): AmiFamily | undefined {
  return AMI_FAMILIES.find((f) => f.id === id);
}

/**
 * Whether a lookup restricted to these owners can see the family. No owners means any owner (EC2
 * then searches every image the caller may launch). `self`, `aws-marketplace` and account ids the
 * catalogue does not list see no public family.
 */
export function ownersCanSee(family: AmiFamily, owners: readonly Owner[]): boolean {
  return owners.length === 0 || owners.some((o) => family.owners.includes(o));
}

/**
 * The catalogue families whose images a name filter (EC2 wildcards) can match, for a lookup limited
 * to these owners. Catalogue order.
 *
 * @param namePattern one value of a `name` filter, e.g. `al2023-ami-*-x86_64`
 * @param owners the lookup's owners; empty means any owner
 * @example familiesMatchedBy('al2023-ami-*-x86_64', ['amazon']).map((f) => f.id)
 * // ['al2023-standard', 'al2023-minimal', 'al2023-ecs', 'al2023-ecs-neuron']
 */
export function familiesMatchedBy(namePattern: string, owners: readonly Owner[]): AmiFamily[] {
  return AMI_FAMILIES.filter(
    (f) => ownersCanSee(f, owners) && f.namePatterns.some((p) => patternsOverlap(p, namePattern)),
  );
}
