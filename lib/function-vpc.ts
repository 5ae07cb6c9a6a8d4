/** Running the guard's functions inside a VPC (the `vpc` prop). */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import type { ResolvedSettings } from './props';

/**
 * Run every function of this construct in the given subnets: the VPC configuration, the
 * network-interface permissions Lambda needs on each role, and (without given security groups)
 * one group that allows HTTPS out and nothing in.
 */
export function placeFunctionsInVpc(scope: Construct, vpc: NonNullable<ResolvedSettings['vpc']>): void {
  const securityGroupIds = [...vpc.securityGroupIds];
  if (securityGroupIds.length === 0 && vpc.vpcId !== undefined) {
    const group = new ec2.CfnSecurityGroup(scope, 'FunctionSecurityGroup', {
      groupDescription: 'launch-loop-guard functions: HTTPS to AWS APIs and Slack, nothing in',
      vpcId: vpc.vpcId,
      securityGroupEgress: [
        { ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIp: '0.0.0.0/0', description: 'HTTPS out' },
      ],
    });
    securityGroupIds.push(group.attrGroupId);
  }
  const functions = scope.node.findAll().filter((c): c is lambda.Function => c instanceof lambda.Function);
  for (const fn of functions) {
    const cfn = fn.node.defaultChild as lambda.CfnFunction;
    cfn.vpcConfig = { subnetIds: [...vpc.subnetIds], securityGroupIds };
    const role = fn.role;
    if (role === undefined) continue;
    // What AWSLambdaVPCAccessExecutionRole grants, without the managed policy. Lambda creates
    // and deletes the interfaces at deploy time, before the function's code runs.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'LambdaNetworkInterfaces',
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
    );
    NagSuppressions.addResourceSuppressions(
      role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Lambda needs these network-interface actions to attach the function to its subnets; EC2 gives DescribeNetworkInterfaces no resource-level permission and the interfaces are made by Lambda at run time.',
          appliesTo: ['Resource::*'],
        },
      ],
      true,
    );
  }
}
