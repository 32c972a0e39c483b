import { MongoClient } from "mongodb";
const c = await MongoClient.connect("mongodb://127.0.0.1:35823/understudy_bench");
const db = c.db();
for (const name of (await db.listCollections().toArray()).map(x=>x.name)) console.log(name, await db.collection(name).estimatedDocumentCount());
const conv = await db.collection("messages").findOne({}, {sort:{_id:-1}});
for (let i=0;i<3;i++){ let t=performance.now(); await db.collection("messages").find({conversationId: conv.conversationId}).toArray(); console.log("msgs by conv", (performance.now()-t).toFixed(1)); }
for (let i=0;i<3;i++){ let t=performance.now(); await db.collection("settings").findOne({_id:"activeModel"}); console.log("setting by id", (performance.now()-t).toFixed(1)); }
for (let i=0;i<3;i++){ let t=performance.now(); await db.collection("sessions").findOne({}); console.log("session", (performance.now()-t).toFixed(1)); }
await c.close();
