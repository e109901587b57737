// The shape of attachments by reference (`AttachmentRef`), checked where they are produced (the
// outbox event) and again in the email job; the worker opens the stored file when it sends.
import Joi from 'joi';

export const attachmentRefs = Joi.array()
  .max(5)
  .items(
    Joi.object({
      filename: Joi.string().pattern(/^[A-Za-z0-9._-]{1,100}$/).required(),
      contentType: Joi.string().valid('text/csv').required(),
      fileId: Joi.string().hex().length(24).required(),
    }),
  );
