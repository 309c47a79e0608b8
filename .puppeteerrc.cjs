// whatsapp-web.js depends on puppeteer, which would download a browser at install time.
// That download is unreachable on locked-down servers; we use the system Chromium instead (CHROMIUM_PATH).
module.exports = { skipDownload: true };
