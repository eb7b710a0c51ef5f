export { createRestRouter } from "./routes.js";
