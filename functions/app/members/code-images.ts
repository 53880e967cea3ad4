/**
 * Member code images, rendered server-side as PNG data URLs: the mini-program then needs no QR or barcode library
 * (main package size), and weapp and H5 show the same pixels with <Image src="data:…">.
 */
import bwipjs from 'bwip-js/node';
import QRCode from 'qrcode';

const toDataUrl = (png: Uint8Array) => `data:image/png;base64,${Buffer.from(png).toString('base64')}`;

export async function renderMemberCodeImages(code: string): Promise<{ qrDataUrl: string; barcodeDataUrl: string }> {
  const [qrDataUrl, barcode] = await Promise.all([
    // level M survives a cracked screen protector; margin 2 modules is what phone scanners need off a screen
    QRCode.toDataURL(code, { errorCorrectionLevel: 'M', margin: 2, width: 360 }),
    // Code128 set C packs 18 digits into 9 symbols: short enough for a counter scanner at arm's length
    bwipjs.toBuffer({ bcid: 'code128', text: code, scale: 3, height: 16, paddingwidth: 10, paddingheight: 4 }),
  ]);
  return { qrDataUrl, barcodeDataUrl: toDataUrl(barcode) };
}
