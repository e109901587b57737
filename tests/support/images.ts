// Image fixtures built in memory: real images from sharp, hostile files by hand.
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

/** A solid-colour image of the given size and format. */
export function solidImage(width: number, height: number, format: 'jpeg' | 'png' | 'webp' = 'png', color = '#4080c0'): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: color } })
    .toFormat(format)
    .toBuffer();
}

/** A JPEG carrying EXIF (camera, copyright, GPS-like data) and orientation 6 ("rotate 90° clockwise to display"). */
export function jpegWithExif(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#c05040' } })
    .jpeg()
    .withExif({ IFD0: { Make: 'LeakyCam', Model: 'X100', Copyright: 'secret-owner', Artist: 'Jane Doe' } })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([head, body, crc]);
}

/**
 * A decompression bomb: a valid PNG header declaring width × height (e.g. 50000 × 50000, 2.5
 * gigapixels, ~7.5 GB decoded) in a file of a few hundred bytes.
 */
export function pngDeclaring(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  const idat = deflateSync(Buffer.alloc(1 + width * 3 > 65_536 ? 65_536 : 1 + width * 3));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/** Plain text and a Windows executable header, to be sent under an image's name and type. */
export const NOT_AN_IMAGE = {
  text: Buffer.from('just some text pretending to be a photo\n'.repeat(20)),
  exe: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(62), Buffer.from('PE\0\0'), Buffer.alloc(200)]),
  svg: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>'),
} as const;
