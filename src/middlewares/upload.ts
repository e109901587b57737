// multipart/form-data with exactly one file, buffered in memory under hard limits (file bytes,
// field count and size, part count), so an upload can never fill the disk or exhaust memory.
// Runs after authentication: an anonymous caller's bytes are never buffered.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../utils/errors';

export interface UploadSpec {
  /** Form field carrying the file. */
  readonly field: string;
  readonly maxBytes: number;
  /** Text fields allowed beside the file (their values are validated by the body schema). */
  readonly maxFields: number;
  /** Media types accepted (documentation; the service checks the content itself). */
  readonly accept: readonly string[];
  readonly description: string;
}

const MAX_FIELD_BYTES = 4096;

function toAppError(err: unknown, spec: UploadSpec): unknown {
  if (err instanceof multer.MulterError) {
    switch (err.code) {
      case 'LIMIT_FILE_SIZE':
        return new PayloadTooLargeError(`The file exceeds the ${spec.maxBytes} byte limit`, 'PAYLOAD_TOO_LARGE', {
          details: [{ path: spec.field, message: `at most ${spec.maxBytes} bytes`, limit: spec.maxBytes }],
        });
      case 'LIMIT_FILE_COUNT':
      case 'LIMIT_UNEXPECTED_FILE':
        return new ValidationError('Send exactly one file, in the form field it is declared for', [
          { location: 'body', path: err.field ?? spec.field, message: `only one file, in field "${spec.field}"`, type: 'upload.file' },
        ]);
      default:
        // Too many fields or parts, a field too long: the form is not one we accept.
        return new BadRequestError(`The form is not acceptable: ${err.message}`, 'MULTIPART_LIMIT_EXCEEDED');
    }
  }
  // busboy: truncated or malformed multipart bodies.
  if (err instanceof Error && !('status' in err)) return new BadRequestError('The multipart body is malformed', 'MALFORMED_MULTIPART', { cause: err });
  return err;
}

export function singleFileUpload(spec: UploadSpec): RequestHandler {
  const parse = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: spec.maxBytes, files: 1, fields: spec.maxFields, fieldSize: MAX_FIELD_BYTES, parts: spec.maxFields + 1, headerPairs: 100 },
  }).single(spec.field);
  return function uploadSingleFile(req: Request, res: Response, next: NextFunction) {
    if (!req.is('multipart/form-data')) {
      throw new UnsupportedMediaTypeError(`Send the file as multipart/form-data in field "${spec.field}"`, 'UNSUPPORTED_MEDIA_TYPE');
    }
    parse(req, res, (err?: unknown) => {
      if (err) return next(toAppError(err, spec));
      if (!req.file) {
        return next(new ValidationError('Request validation failed', [{ location: 'body', path: spec.field, message: `"${spec.field}" (a file) is required`, type: 'any.required' }]));
      }
      // multer builds body with a null prototype; the validator and joi expect a plain object.
      req.body = { ...(req.body as Record<string, unknown>) };
      next();
    });
  };
}
