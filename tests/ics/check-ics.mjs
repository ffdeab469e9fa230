// Reads an .ics file with ical.js and prints what it understood, as JSON, so a
// test can compare it with lorsync's own list of deadlines.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(process.argv[2], "utf8");
const calendar = new ICAL.Component(ICAL.parse(text));
const todos = calendar.getAllSubcomponents("vtodo").map((todo) => ({
  uid: todo.getFirstPropertyValue("uid"),
  due: todo.getFirstPropertyValue("due").toString(),
  summary: todo.getFirstPropertyValue("summary"),
  status: todo.getFirstPropertyValue("status"),
  alarms: todo.getAllSubcomponents("valarm").map((alarm) => alarm.getFirstPropertyValue("trigger").toString()),
}));
console.log(JSON.stringify({ version: calendar.getFirstPropertyValue("version"), todos }));
