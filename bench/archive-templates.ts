/**
 * The record templates of the synthetic CloudTrail archive (./generate-archive.ts), each made once
 * from a shared real fixture (`test/fixtures/cloudtrail`) with `@@name@@` markers in place of the
 * fields that vary.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFleetRequest } from '../fake-cloud/support/launch-events';

const FIXTURES = join(__dirname, '..', 'test', 'fixtures', 'cloudtrail');
/** The one account every generated record belongs to. */
export const ACCOUNT = '111122223333';

type Json = Record<string, unknown>;

function fixture(name: string): Json {
  const value = JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as Json;
  // Panther's enrichment fields are not part of a CloudTrail record.
  for (const key of Object.keys(value)) if (key.startsWith('p_')) delete value[key];
  return value;
}

/**
 * A record template: the fixture serialised once with `@@name@@` markers in place of the fields
 * that vary, so producing a record is a string join rather than a clone and a stringify.
 */
class Template {
  private readonly parts: string[];
  constructor(record: Json) {
    // `"@@$name@@"` is a raw marker (a number, an array's contents): its quotes go too.
    this.parts = JSON.stringify(record)
      .replace(/"@@\$(\w+)@@"/g, '@@$1@@')
      .split(/@@(\w+)@@/);
  }
  render(values: Record<string, string>): string {
    let out = '';
    for (let i = 0; i < this.parts.length; i += 1)
      out += i % 2 === 0 ? this.parts[i] : values[this.parts[i]!];
    return out;
  }
}

function header(record: Json): void {
  record['eventID'] = '@@eventId@@';
  record['requestID'] = '@@requestId@@';
  record['eventTime'] = '@@time@@';
  record['awsRegion'] = '@@region@@';
  record['recipientAccountId'] = ACCOUNT;
}

/** The templates, built from the fixtures. */
export function templates(): Record<string, Template> {
  const asg = fixture('runinstances-asg-slr-eks-nodegroup-fleet.panther.json');
  header(asg);
  const asgResponse = asg['responseElements'] as Json;
  const asgItem = ((asgResponse['instancesSet'] as Json)['items'] as Json[])[0]!;
  asgItem['instanceId'] = '@@instanceId@@';
  asgItem['imageId'] = '@@imageId@@';
  asgItem['amiLaunchIndex'] = '@@$index@@';
  asgItem['clientToken'] = '@@clientToken@@';
  const asgTags = (asgItem['tagSet'] as Json)['items'] as Json[];
  for (const tag of asgTags) if (tag['key'] === 'aws:autoscaling:groupName') tag['value'] = '@@group@@';
  for (const tag of asgTags) if (tag['key'] === 'aws:ec2:fleet-id') tag['value'] = '@@fleetId@@';
  const asgItemText = new Template(asgItem);
  (asgResponse['instancesSet'] as Json)['items'] = ['@@$items@@'];
  asgResponse['reservationId'] = '@@reservationId@@';
  const asgRequest = asg['requestParameters'] as Json;
  asgRequest['clientToken'] = '@@clientToken@@';
  asgRequest['instancesSet'] = { items: [{ minCount: '@@$count@@', maxCount: '@@$count@@' }] };
  asgRequest['tagSpecificationSet'] = {
    items: [{ resourceType: 'instance', tags: [{ key: 'aws:autoscaling:groupName', value: '@@group@@' }] }],
  };

  const truncated = structuredClone(asg);
  truncated['responseElements'] = {
    omitted: true,
    requestId: '@@requestId@@',
    reservationId: '@@reservationId@@',
  };

  const person = fixture('runinstances-console-assumedrole-tagspec.panther.json');
  header(person);
  const personRequest = person['requestParameters'] as Json;
  const personItems = (personRequest['instancesSet'] as Json)['items'] as Json[];
  personItems[0]!['imageId'] = '@@imageId@@';
  const personResponse = person['responseElements'] as Json;
  const personItem = ((personResponse['instancesSet'] as Json)['items'] as Json[])[0]!;
  personItem['instanceId'] = '@@instanceId@@';
  personItem['imageId'] = '@@imageId@@';
  personItem['amiLaunchIndex'] = '@@$index@@';
  const personItemText = new Template(personItem);
  (personResponse['instancesSet'] as Json)['items'] = ['@@$items@@'];

  const fleet = fixture('runinstances-asg-slr-eks-nodegroup-fleet.panther.json');
  header(fleet);
  fleet['eventName'] = 'CreateFleet';
  fleet['requestParameters'] = createFleetRequest('@@$count@@', [
    { Key: 'aws:autoscaling:groupName', Value: '@@group@@', tag: 1 },
  ]);
  fleet['responseElements'] = {
    CreateFleetResponse: {
      xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/',
      fleetId: '@@fleetId@@',
      errorSet: '',
      fleetInstanceSet: {
        item: { lifecycle: 'on-demand', instanceType: 'm5.large', instanceIds: { item: '@@ids@@' } },
      },
      requestId: '@@requestId@@',
    },
  };

  const failed = fixture('runinstances-failed-unauthorizedoperation.stratus.json');
  header(failed);
  failed['errorCode'] = '@@errorCode@@';
  ((failed['requestParameters'] as Json)['instancesSet'] as { items: Json[] }).items[0]!['imageId'] =
    '@@imageId@@';

  const terminate = fixture('terminateinstances-asg-slr.panther.json');
  header(terminate);
  (terminate['requestParameters'] as { instancesSet: { items: Json[] } }).instancesSet.items[0]![
    'instanceId'
  ] = '@@instanceId@@';
  (terminate['responseElements'] as { instancesSet: { items: Json[] } }).instancesSet.items[0]![
    'instanceId'
  ] = '@@instanceId@@';

  // Filler: other API calls, in the shapes of the S3 and root TerminateInstances records.
  const s3 = (fixture('eventbridge-cloudtrail-s3-createbucket.awsdocs.json')['detail'] as Json) ?? {};
  header(s3);
  s3['eventName'] = '@@eventName@@';
  s3['requestParameters'] = {
    bucketName: '@@bucket@@',
    key: '@@objectKey@@',
    Host: '@@bucket@@.s3.amazonaws.com',
  };
  s3['tlsDetails'] = {
    tlsVersion: 'TLSv1.3',
    cipherSuite: 'TLS_AES_128_GCM_SHA256',
    clientProvidedHostHeader: '@@bucket@@.s3.amazonaws.com',
  };
  const ec2 = (fixture('terminateinstances-root-records.awsdocs.json')['Records'] as Json[])[0]!;
  header(ec2);
  ec2['eventName'] = '@@eventName@@';
  ec2['readOnly'] = true;
  ec2['requestParameters'] = {
    instancesSet: { items: [{ instanceId: '@@instanceId@@' }] },
    filterSet: {
      items: [{ name: 'tag:aws:autoscaling:groupName', valueSet: { items: [{ value: '@@group@@' }] } }],
    },
  };
  ec2['responseElements'] = null;
  const sts = fixture('terminateinstances-asg-slr.panther.json');
  header(sts);
  sts['eventSource'] = 'sts.amazonaws.com';
  sts['eventName'] = 'AssumeRole';
  sts['requestParameters'] = { roleArn: '@@role@@', roleSessionName: '@@session@@', durationSeconds: 3600 };
  sts['responseElements'] = { credentials: { accessKeyId: 'ASIA@@session@@', expiration: '@@time@@' } };

  return {
    asg: new Template(asg),
    asgItem: asgItemText,
    truncated: new Template(truncated),
    person: new Template(person),
    personItem: personItemText,
    fleet: new Template(fleet),
    failed: new Template(failed),
    terminate: new Template(terminate),
    s3: new Template(s3),
    ec2: new Template(ec2),
    sts: new Template(sts),
  };
}
