/** Shared test data: the documentation's running EC2 event, and the shape of a table of matching cases. */

export const ec2Event = {
  version: "0",
  id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "111122223333",
  time: "2017-12-22T18:43:48Z",
  region: "us-west-1",
  resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  detail: { "instance-id": "i-1234567890abcdef0", state: "terminated" },
};

/** An event with the given detail (and top-level extras), in the shape of the documentation's examples. */
export function event(detail: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...ec2Event, ...extra, detail };
}

export interface Case {
  name: string;
  pattern: Record<string, unknown>;
  document: unknown;
  matches: boolean;
}
