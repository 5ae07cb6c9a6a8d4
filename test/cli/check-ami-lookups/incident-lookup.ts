/** The AMI lookup of the incident's Terraform (fixtures/terraform/incident/main.tf), as scanPaths reads it. */
import type { AmiLookup } from '../../../cli/check-ami-lookups/lookups';

/** The incident's lookup, found in `file`. */
export function incidentLookup(file: string): AmiLookup {
  return {
    file,
    line: 12,
    address: 'data.aws_ami.amazon_linux',
    owners: ['amazon'],
    filters: [
      { name: 'name', values: ['al2023-ami-*-x86_64'] },
      { name: 'architecture', values: ['x86_64'] },
    ],
    includeDeprecated: false,
    executableUsers: [],
  };
}
