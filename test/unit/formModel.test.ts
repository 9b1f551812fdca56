import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkForm, formToFields, fieldsToForm, EMPTY_FORM } from '../../src/engine/options/formModel';
import { fakeProbe } from './helpers';

test('form values -> configuration fields -> form values', () => {
  const v = { ...EMPTY_FORM, name: 'dev', memory: '2G', vcpus: '2', bind: '${workspaceFolder}/src:src\n\n/data', karg: 'quiet\nx=1', forwardPorts: '8080, 9090', bindWorkspace: 'ro', accel: 'tcg' };
  const f = formToFields(v);
  assert.deepEqual(f, { name: 'dev', image: 'localhost/bootc-sample:latest', memory: '2G', vcpus: 2, bind: ['${workspaceFolder}/src:src', '/data'], karg: ['quiet', 'x=1'], accel: 'tcg', bindWorkspace: 'ro', forwardPorts: [8080, 9090] });
  const back = fieldsToForm(f);
  assert.equal(back.bind, '${workspaceFolder}/src:src\n/data');
  assert.equal(back.forwardPorts, '8080, 9090');
  assert.equal(formToFields({ ...v, itype: 'u1.micro' }).memory, undefined, 'itype fills memory/vcpus');
  assert.deepEqual(formToFields({ ...EMPTY_FORM, name: 'c', source: 'containerfile', containerfile: '${workspaceFolder}/Containerfile' }), { name: 'c', containerfile: '${workspaceFolder}/Containerfile', memory: '4G' });
});

test('the form check: problems on their fields, else both command lines', () => {
  const probe = fakeProbe(['/ws/src']);
  const ok = checkForm({ ...EMPTY_FORM, name: 'dev', memory: '2G', bind: '${workspaceFolder}/src:src', karg: 'quiet' }, { workspaceFolder: '/ws', probe });
  assert.deepEqual(ok.problems, []);
  assert.equal(ok.commandLine, 'bootc-ephemeral run -d -K --memory 2G --vcpus 2 --bind /ws/src:src --karg quiet localhost/bootc-sample:latest');
  assert.equal(ok.bcvkCommandLine, 'bcvk ephemeral run -d -K --memory 2G --vcpus 2 --bind /ws/src:src --karg quiet localhost/bootc-sample:latest');
  const bad = checkForm({ ...EMPTY_FORM, name: 'dev', memory: '4GB', bind: '/nope', forwardPorts: '80, x' }, { takenNames: ['dev'], probe });
  assert.deepEqual(bad.problems.map((p) => p.key), ['name', 'forwardPorts', 'memory', 'bind']);
  assert.equal(bad.commandLine, undefined);
});
