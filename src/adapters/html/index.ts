export { createHtmlRouter } from "./routes.js";
