import { errorStatus, type ModelProblem } from './service-model.ts';

/**
 * An error the stand-in answers in the shape of the awsJson1_0 protocol: the body names the
 * modelled exception in `__type` and carries its members (`Message`, and for ValidationException
 * `Reason` and `ErrorList`); the HTTP status is the exception's `httpError` trait in the model.
 * ("Error responses", AWS JSON 1.0 protocol, Smithy documentation; "Common Errors" and each
 * operation's "Errors" section in the AWS Partner Central API reference.)
 */
export class PartnerCentralFault extends Error {
  readonly type: string;
  readonly status: number;
  readonly members: Record<string, unknown>;

  constructor(type: string, message: string, members: Record<string, unknown> = {}, status?: number) {
    super(message);
    this.type = type;
    this.status = status ?? errorStatus(type);
    this.members = members;
  }

  body(): Record<string, unknown> {
    return {
      __type: `com.amazonaws.partnercentralselling#${this.type}`,
      Message: this.message,
      ...this.members,
    };
  }
}

export function validationFault(
  message: string,
  problems: readonly ModelProblem[] = [],
  reason: 'REQUEST_VALIDATION_FAILED' | 'BUSINESS_VALIDATION_FAILED' = 'REQUEST_VALIDATION_FAILED',
): PartnerCentralFault {
  return new PartnerCentralFault('ValidationException', message, {
    Reason: reason,
    ...(problems.length === 0
      ? {}
      : {
          ErrorList: problems.map((problem) => ({
            FieldName: problem.path,
            Message: problem.message,
            Code: problem.code,
          })),
        }),
  });
}

export const notFound = (what: string) =>
  new PartnerCentralFault('ResourceNotFoundException', `${what} not found`);
export const conflict = (message: string) => new PartnerCentralFault('ConflictException', message);
export const throttled = () => new PartnerCentralFault('ThrottlingException', 'Rate exceeded');
export const serverError = () =>
  new PartnerCentralFault('InternalServerException', 'An internal error occurred (injected by the stand-in)');
