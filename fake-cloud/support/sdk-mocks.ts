/**
 * aws-sdk-client-mock stubs for a test file, made in one call.
 */
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';

/** An SDK client class (`AutoScalingClient`, `SNSClient`, …). */
type ClientClass = abstract new (...args: never) => object;

/** The stubs of these client classes, in their order. */
type Stubs<T extends readonly ClientClass[]> = { readonly [K in keyof T]: AwsClientStub<InstanceType<T[K]>> };

/**
 * Mock every client of these classes for the calling test file, in the order named.
 *
 * @example const [asg, sns] = mockClients(AutoScalingClient, SNSClient);
 */
export function mockClients<const T extends readonly ClientClass[]>(...clients: T): Stubs<T> {
  return clients.map((client) => mockClient(client as never)) as unknown as Stubs<T>;
}
