import { config } from "zod/mini";
import en from "zod/v4/locales/en.js";

// Schemas use zod/mini (import * as z from "zod/mini"): the same validator as zod, in a form
// bundlers can tree-shake, so a function carries the checks it uses (tens of KB), not the whole
// library (~460 KB). zod/mini loads no messages by default; every module that defines schemas
// imports this one for its side effect, the English messages callers read in a 400's field list.
config(en());
