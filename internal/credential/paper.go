package credential

import (
	"bytes"
	"fmt"

	"github.com/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"

	"binakerja"
)

// QR returns a PNG QR code (error correction M) of the certificate's public
// verification page.
func (is *Issuer) QR(c *binakerja.Certificate, size int) ([]byte, error) {
	return qrcode.Encode(is.VerificationURL(c.Code), qrcode.Medium, size)
}

// Labels are the words printed on a certificate, in its language.
type Labels struct {
	Title, Holder, Scheme, Level, Issuer, Number, Issued, Expires, Verify string
	Date                                                                  func(binakerja.Date) string
}

// PDF returns the printable certificate: the holder, the scheme, the issuing
// certification body, the number and dates, and the QR code of the
// verification page. Like the credential, it names no place of training.
func (is *Issuer) PDF(c *binakerja.Certificate, l Labels) ([]byte, error) {
	png, err := is.QR(c, 512)
	if err != nil {
		return nil, err
	}
	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.SetCompression(false)                     // plain text streams: searchable, and small enough
	tr := pdf.UnicodeTranslatorFromDescriptor("") // the core fonts speak Windows-1252
	pdf.SetTitle(l.Title, true)
	pdf.SetCreator("BinaKerja", true)
	pdf.AddPage()
	pdf.SetLineWidth(1.2)
	pdf.SetDrawColor(11, 79, 108)
	pdf.Rect(10, 10, 277, 190, "D")
	pdf.SetFont("Helvetica", "B", 28)
	pdf.SetTextColor(11, 79, 108)
	pdf.SetXY(20, 28)
	pdf.CellFormat(257, 14, tr(l.Title), "", 1, "C", false, 0, "")
	pdf.SetTextColor(0, 0, 0)
	pdf.SetFont("Helvetica", "", 13)
	pdf.SetX(20)
	pdf.CellFormat(257, 8, tr(l.Issuer+" "+c.IssuerName), "", 1, "C", false, 0, "")
	pdf.SetFont("Helvetica", "B", 24)
	pdf.SetXY(20, 62)
	pdf.CellFormat(257, 14, tr(c.HolderName), "", 1, "C", false, 0, "")
	pdf.SetFont("Helvetica", "", 13)
	pdf.SetX(20)
	pdf.CellFormat(257, 8, tr(l.Holder), "", 1, "C", false, 0, "")
	rows := [][2]string{
		{l.Scheme, fmt.Sprintf("%s (%s)", c.SchemeTitle, c.Scheme)},
		{l.Level, fmt.Sprint(c.KKNILevel)},
		{l.Number, c.Number},
		{l.Issued, l.Date(c.IssuedOn)},
		{l.Expires, l.Date(c.ExpiresOn)},
	}
	y := 100.0
	for _, r := range rows {
		pdf.SetXY(30, y)
		pdf.SetFont("Helvetica", "B", 12)
		pdf.CellFormat(55, 9, tr(r[0]), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 12)
		pdf.CellFormat(140, 9, tr(r[1]), "", 1, "L", false, 0, "")
		y += 11
	}
	pdf.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
	pdf.ImageOptions("qr", 222, 100, 50, 50, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	pdf.SetFont("Helvetica", "", 8)
	pdf.SetXY(205, 152)
	pdf.MultiCell(84, 4, tr(l.Verify+" "+is.VerificationURL(c.Code)), "", "C", false)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
